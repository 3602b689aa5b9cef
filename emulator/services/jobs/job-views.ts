import { NEVER } from '../../model/device.js';
import type { JsonObject } from '../../model/json.js';
import type { DeviceJobRecord, DeviceJobStatus, JobRecord, StoredJob } from '../../model/job.js';

/** Per-device counts of a job (`deviceJobStatistics`, iothub-protocol-2.md §7.2). */
export interface DeviceJobStatistics {
  readonly deviceCount: number;
  readonly failedCount: number;
  readonly succeededCount: number;
  readonly runningCount: number;
  readonly pendingCount: number;
}

/** Which devices of a job are being worked on right now (not persisted: a row is durable as pending or final). */
export type InFlight = (jobId: string, deviceId: string) => boolean;

/** The status a row shows: a pending row whose device is being worked on shows `running`. */
export function rowStatus(jobId: string, row: DeviceJobRecord, inFlight: InFlight): DeviceJobStatus {
  return row.status === 'pending' && inFlight(jobId, row.deviceId) ? 'running' : row.status;
}

/** Counts the device rows of a job. */
export function statisticsOf(stored: StoredJob, inFlight: InFlight): DeviceJobStatistics {
  let failedCount = 0;
  let succeededCount = 0;
  let runningCount = 0;
  let pendingCount = 0;
  const rows = Object.values(stored.devices);
  for (const row of rows) {
    const status = rowStatus(stored.job.jobId, row, inFlight);
    if (status === 'completed') succeededCount++;
    else if (status === 'failed' || status === 'canceled') failedCount++;
    else if (status === 'running') runningCount++;
    else pendingCount++;
  }
  return { deviceCount: rows.length, failedCount, succeededCount, runningCount, pendingCount };
}

/** The JobResponse of `GET /jobs/v2/{id}` and the job query (Swagger JobResponse; `endTime` once set). */
export function jobResponse(stored: StoredJob, inFlight: InFlight): JsonObject {
  const job: JobRecord = stored.job;
  const response: JsonObject = {
    jobId: job.jobId,
    queryCondition: job.queryCondition,
    createdTime: job.createdTime,
    startTime: job.startTime,
  };
  if (job.endTime !== null) response.endTime = job.endTime;
  Object.assign(response, {
    maxExecutionTimeInSeconds: job.maxExecutionTimeInSeconds,
    type: job.type,
    status: job.status,
    cloudToDeviceMethod: job.cloudToDeviceMethod === null ? null : { ...job.cloudToDeviceMethod },
    updateTwin: job.updateTwin,
    failureReason: job.failureReason,
    statusMessage: job.statusMessage,
    deviceJobStatistics: { ...statisticsOf(stored, inFlight) },
  });
  return response;
}

/**
 * A `devices.jobs` row (iothub-protocol-2.md §7.4; C# `DeviceJob`). Times not reached yet are the hub's "never"
 * (`0001-01-01T00:00:00Z`), because C# reads them as non-nullable dates.
 */
export function deviceJobRow(job: JobRecord, row: DeviceJobRecord, inFlight: InFlight): JsonObject {
  return {
    deviceId: row.deviceId,
    jobId: job.jobId,
    jobType: job.type,
    status: rowStatus(job.jobId, row, inFlight),
    startTimeUtc: row.startTimeUtc ?? NEVER,
    endTimeUtc: row.endTimeUtc ?? NEVER,
    createdDateTimeUtc: row.createdDateTimeUtc,
    lastUpdatedDateTimeUtc: row.lastUpdatedDateTimeUtc,
    outcome: row.outcome,
    error: row.error === null ? null : { ...row.error },
  };
}
