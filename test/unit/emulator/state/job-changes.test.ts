import { describe, expect, it } from 'vitest';

import type { HubChange } from '../../../../emulator/model/changes.js';
import { emptyHubState } from '../../../../emulator/model/hub-state.js';
import type { DeviceJobRecord, JobRecord } from '../../../../emulator/model/job.js';
import { applyChange } from '../../../../emulator/state/apply-change.js';
import { changesProblem, stateProblem } from '../../../../emulator/store/record-schema.js';

const JOB: JobRecord = {
  jobId: 'j1', type: 'scheduleUpdateTwin', queryCondition: "tags.site = 'a'", createdTime: '2026-01-01T00:00:00.000Z',
  startTime: '2026-01-01T00:00:00.000Z', endTime: null, maxExecutionTimeInSeconds: 3600, updateTwin: { tags: { a: 1 } },
  cloudToDeviceMethod: null, status: 'queued', failureReason: null, statusMessage: null,
};

function row(deviceId: string, status: DeviceJobRecord['status']): DeviceJobRecord {
  return {
    deviceId, status, startTimeUtc: null, endTimeUtc: null, createdDateTimeUtc: JOB.createdTime,
    lastUpdatedDateTimeUtc: JOB.createdTime, outcome: null, error: null,
  };
}

describe('The reducer for scheduled jobs', () => {
  it('puts a job, merges device rows by id, keeps rows across header updates and drops a deleted job', () => {
    const state = emptyHubState();
    const changes: HubChange[] = [
      { kind: 'jobPut', job: JOB },
      { kind: 'jobDevicesPut', jobId: 'j1', devices: [row('d1', 'pending'), row('d2', 'pending')] },
      { kind: 'jobPut', job: { ...JOB, status: 'running' } },
      { kind: 'jobDevicesPut', jobId: 'j1', devices: [row('d1', 'completed')] },
      { kind: 'jobDevicesPut', jobId: 'gone', devices: [row('d9', 'pending')] },
    ];
    expect(changesProblem(changes)).toBeUndefined();
    const before = state.jobs;
    for (const change of changes) applyChange(state, change, { historyLimit: 0 });
    expect(state.jobs.j1?.job.status).toBe('running');
    expect(Object.values(state.jobs.j1?.devices ?? {}).map((entry) => `${entry.deviceId}:${entry.status}`)).toEqual(['d1:completed', 'd2:pending']);
    expect(state.jobs.gone).toBeUndefined();
    expect(stateProblem(state as unknown as Parameters<typeof stateProblem>[0])).toBeUndefined();
    applyChange(state, { kind: 'jobDeleted', jobId: 'j1' }, { historyLimit: 0 });
    expect(state.jobs).toBe(before);
    expect(Object.keys(state.jobs)).toEqual([]);
  });

  it('replaces the row map instead of changing it, so a snapshot holding the old job is unaffected', () => {
    const state = emptyHubState();
    applyChange(state, { kind: 'jobPut', job: JOB }, { historyLimit: 0 });
    applyChange(state, { kind: 'jobDevicesPut', jobId: 'j1', devices: [row('d1', 'pending')] }, { historyLimit: 0 });
    const held = state.jobs.j1;
    applyChange(state, { kind: 'jobDevicesPut', jobId: 'j1', devices: [row('d1', 'failed')] }, { historyLimit: 0 });
    expect(held?.devices.d1?.status).toBe('pending');
    expect(state.jobs.j1?.devices.d1?.status).toBe('failed');
  });

  it('rejects a damaged job record naming the field', () => {
    const problem = changesProblem([{ kind: 'jobPut', job: { ...JOB, status: 'done' } }]);
    expect(problem).toMatch(/^changes\[0\]\.job\.status: /);
  });
});
