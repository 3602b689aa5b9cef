import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { EmulatorHost } from '../../../../main/emulator-host.js';
import { handlerCalls } from '../../../helpers/handler-calls.js';
import { startStudioHost } from '../../../helpers/studio-host.js';
import { eventually } from '../../../helpers/wait-for.js';

let host: EmulatorHost;
let dispose: () => Promise<void>;

const { call, value } = handlerCalls(() => host);

beforeAll(async () => {
  ({ host, dispose } = await startStudioHost());
  for (const deviceId of ['f-1', 'f-2', 'f-3']) await value('devices.create', { deviceId });
  for (const deviceId of ['f-1', 'f-2']) {
    const twin = await value('twin.get', { deviceId });
    await value('twin.update', { deviceId, patch: { tags: { site: 'a' } }, etag: twin.etag });
  }
});
afterAll(() => dispose());

describe('the jobs and configurations channels on a real hub', () => {
  it('schedules a twin job the hub runs, lists it, and refuses a bad one with the hub error', async () => {
    const created = await value('jobs.schedule', { jobId: 'studio-1', job: { type: 'scheduleUpdateTwin', queryCondition: "tags.site = 'a'", updateTwin: { properties: { desired: { fan: 2 } } } } });
    expect(created).toMatchObject({ jobId: 'studio-1', status: 'queued' });
    let jobs = await value('jobs.list', {});
    await eventually(() => {
      void value('jobs.list', {}).then((list) => (jobs = list));
      return jobs.find((job) => job.jobId === 'studio-1')?.status === 'completed';
    }, 5000, 'job completed');
    expect(jobs.find((job) => job.jobId === 'studio-1')?.deviceJobStatistics).toMatchObject({ deviceCount: 2, succeededCount: 2 });
    expect((await value('twin.get', { deviceId: 'f-1' })).properties.desired).toMatchObject({ fan: 2 });
    expect(await call('jobs.schedule', { jobId: 'studio-2', job: { type: 'scheduleUpdateTwin', queryCondition: 'tags.site =' } })).toMatchObject({ ok: false, error: { code: 'ArgumentInvalid', httpStatus: 400 } });
    expect(await call('jobs.cancel', { jobId: 'nope' })).toMatchObject({ ok: false, error: { code: 'JobNotFound', httpStatus: 404 } });
  });

  it('creates a configuration whose applied count reaches the targeted twins, then deletes it', async () => {
    const created = await value('configurations.put', { id: 'studio-cfg', configuration: { priority: 3, targetCondition: "tags.site = 'a'", content: { deviceContent: { 'properties.desired.mode': 'eco' } } } });
    expect(created).toMatchObject({ id: 'studio-cfg', etag: 'MQ==', systemMetrics: { results: { targetedCount: 2 } } });
    let applied = 0;
    await eventually(() => {
      void value('configurations.list', {}).then((list) => (applied = list[0]?.systemMetrics.results.appliedCount ?? 0));
      return applied === 2;
    }, 5000, 'applied to both');
    expect(await call('configurations.put', { id: 'studio-cfg', configuration: { priority: 4, targetCondition: '*', content: { deviceContent: {} } } })).toMatchObject({ ok: false, error: { httpStatus: 409 } });
    expect(await value('configurations.delete', { id: 'studio-cfg' })).toEqual({ id: 'studio-cfg' });
    expect(await value('configurations.list', {})).toEqual([]);
  });

  it('serves the digital twin of a device and refuses a command to an offline one', async () => {
    const twin = await value('pnp.digitalTwin', { deviceId: 'f-1' });
    expect(twin.twin).toMatchObject({ $dtId: 'f-1', $metadata: { fan: { desiredValue: 2 } } });
    expect(twin.etag).toMatch(/.+/);
    expect(await call('pnp.invokeCommand', { deviceId: 'f-1', component: 'thermostat1', commandName: 'getMaxMinReport', payload: null, responseTimeoutInSeconds: 5 }))
      .toMatchObject({ ok: false, error: { code: 'DeviceNotOnline', httpStatus: 404 } });
  });
});
