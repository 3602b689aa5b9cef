import { describe, expect, it } from 'vitest';

import { startTestHub } from '../helpers/start-hub.js';
import { eventually } from '../helpers/wait-for.js';

// The job scheduler's limits and its restart behaviour, through the front door's FleetApi (the same service and
// checks as /jobs/v2; no port 443 needed).

type Job = { status: string; deviceJobStatistics: { deviceCount: number; succeededCount: number; pendingCount: number } };

describe('the job scheduler', () => {
  it('refuses more active jobs than allowed with 429 ThrottlingMaxActiveJobCountExceeded', async () => {
    const hub = await startTestHub({ fleet: { jobs: { maxActive: 1 } } });
    try {
      const later = new Date(Date.now() + 60_000).toISOString();
      await expect(hub.hub.fleet.scheduleJob('bad', { type: 'scheduleUpdateTwin', queryCondition: "tags.x = 'a' AND", updateTwin: { tags: { a: 1 } } }))
        .rejects.toThrow(/^Invalid query: queryCondition: .*position 16/);
      await hub.hub.fleet.scheduleJob('one', { type: 'scheduleUpdateTwin', queryCondition: "deviceId = 'x'", updateTwin: { tags: { a: 1 } }, startTime: later });
      await expect(hub.hub.fleet.scheduleJob('two', { type: 'scheduleUpdateTwin', queryCondition: "deviceId = 'x'", updateTwin: { tags: { a: 1 } } }))
        .rejects.toMatchObject({ code: 'ThrottlingMaxActiveJobCountExceeded', httpStatus: 429, errorCode: 429004 });
      await hub.hub.fleet.cancelJob('one');
      await expect(hub.hub.fleet.scheduleJob('two', { type: 'scheduleUpdateTwin', queryCondition: "deviceId = 'x'", updateTwin: { tags: { a: 1 } } })).resolves.toMatchObject({ status: 'queued' });
    } finally {
      await hub.dispose();
    }
  });

  it('resumes a job that was running when the hub stopped, with the devices that had no result yet', async () => {
    const count = 300;
    let hub = await startTestHub({ fleet: { jobs: { concurrency: 1 } } });
    try {
      for (let i = 0; i < count; i++) await hub.hub.registry.create({ deviceId: `r${i}` });
      await hub.hub.fleet.scheduleJob('big', { type: 'scheduleUpdateTwin', queryCondition: 'STARTSWITH(deviceId, \'r\')', updateTwin: { properties: { desired: { wave: 2 } } } });
      const job = () => hub.hub.fleet.listJobs()[0] as unknown as Job;
      await eventually(() => job().status === 'running' && job().deviceJobStatistics.succeededCount > 0, 5000, 'job running');
      await hub.stop();
      hub = await startTestHub({ fleet: { jobs: { concurrency: 1 } } }, hub.dataDir);
      const resumedWith = job().deviceJobStatistics;
      expect(resumedWith.deviceCount).toBe(count);
      expect(resumedWith.succeededCount).toBeLessThan(count);
      await eventually(() => job().status === 'completed', 20_000, 'job completed after the restart');
      expect(job().deviceJobStatistics).toMatchObject({ deviceCount: count, succeededCount: count, pendingCount: 0 });
      for (let i = 0; i < count; i++) {
        expect((hub.hub.twins.getServiceTwin(`r${i}`) as { properties: { desired: { wave?: number } } }).properties.desired.wave).toBe(2);
      }
    } finally {
      await hub.dispose();
    }
  });
});
