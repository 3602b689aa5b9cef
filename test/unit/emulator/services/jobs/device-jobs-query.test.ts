import { describe, expect, it } from 'vitest';

import { compileQuery } from '../../../../../emulator/query/index.js';

const ROWS = [
  { deviceId: 'd1', jobId: 'j1', jobType: 'scheduleDeviceMethod', status: 'completed' },
  { deviceId: 'd2', jobId: 'j1', jobType: 'scheduleDeviceMethod', status: 'failed' },
  { deviceId: 'd1', jobId: 'j2', jobType: 'scheduleUpdateTwin', status: 'completed' },
];

describe('devices.jobs queries', () => {
  it('read job rows, with fields named plainly or as devices.jobs.<field>, and page them as DeviceJob items', () => {
    const query = compileQuery("SELECT * FROM devices.jobs WHERE devices.jobs.jobId = 'j1' AND status = 'completed'");
    expect(query.collection).toBe('devices.jobs');
    const page = query.run(ROWS);
    expect(page).toEqual({ items: [ROWS[0]], itemType: 'DeviceJob' });
  });

  it('project and count like twin queries', () => {
    const first = compileQuery('SELECT devices.jobs.deviceId FROM devices.jobs WHERE devices.jobs.jobType = \'scheduleUpdateTwin\'').run(ROWS);
    expect(first).toEqual({ items: [{ deviceId: 'd1' }], itemType: 'Raw' });
    expect(compileQuery('SELECT COUNT() AS n FROM devices.jobs').run(ROWS).items).toEqual([{ n: 3 }]);
    const paged = compileQuery('SELECT * FROM devices.jobs').run(ROWS, { pageSize: 2 });
    expect(paged.items).toHaveLength(2);
    expect(typeof paged.continuation).toBe('string');
  });
});
