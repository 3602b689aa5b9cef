import type { HubChange } from '../model/changes.js';
import type { HubState } from '../model/hub-state.js';
import type { DeviceJobRecord } from '../model/job.js';
import { dictionary, getOwn, setOwn } from '../util/own-keys.js';

type JobChange = Extract<HubChange, { kind: 'jobPut' | 'jobDevicesPut' | 'jobDeleted' }>;

/**
 * The reducer's part for scheduled jobs: a job header replaced (its device rows kept), device rows merged by
 * device id (the row map is copied, never changed in place, so a snapshot holding the old job is unaffected), a job
 * dropped. Rows for a job that is gone are ignored.
 */
export function applyJobChange(state: HubState, change: JobChange): void {
  if (change.kind === 'jobDeleted') {
    delete state.jobs[change.jobId];
    return;
  }
  if (change.kind === 'jobPut') {
    const existing = getOwn(state.jobs, change.job.jobId);
    setOwn(state.jobs, change.job.jobId, { job: change.job, devices: existing?.devices ?? dictionary<DeviceJobRecord>() });
    return;
  }
  const existing = getOwn(state.jobs, change.jobId);
  if (!existing) return;
  const devices = dictionary<DeviceJobRecord>();
  for (const [deviceId, row] of Object.entries(existing.devices)) devices[deviceId] = row;
  for (const row of change.devices) setOwn(devices, row.deviceId, row);
  setOwn(state.jobs, change.jobId, { job: existing.job, devices });
}
