import type { JsonObject, JsonValue } from './json.js';

// Scheduled jobs (jobs v2, iothub-protocol-2.md §7): a twin update or a direct method run by the hub over the
// devices a query condition selects. Plain JSON: the records travel in `jobPut` / `jobDevicesPut` change records.

/** The job types `/jobs/v2` creates (the Swagger enum lists more, legacy ones). */
export type JobType = 'scheduleUpdateTwin' | 'scheduleDeviceMethod';

/** A job's status as `GET /jobs/v2/{id}` shows it (Swagger enum, the ones this hub uses). */
export type JobStatus = 'queued' | 'scheduled' | 'running' | 'completed' | 'failed' | 'cancelled';

/** A device's status in a job (`devices.jobs` rows; note `canceled` with one `l`, as the hub spells it). */
export type DeviceJobStatus = 'pending' | 'scheduled' | 'running' | 'completed' | 'failed' | 'canceled';

/** The direct method a `scheduleDeviceMethod` job calls. */
export interface JobMethod {
  readonly methodName: string;
  readonly payload: JsonValue;
  readonly responseTimeoutInSeconds: number;
  readonly connectTimeoutInSeconds: number;
}

/** A job as the hub keeps it; its per-device results are kept apart (`JobDevices`). */
export interface JobRecord {
  readonly jobId: string;
  readonly type: JobType;
  readonly queryCondition: string;
  readonly createdTime: string;
  /** When the job may start (the request's start time, or its creation time). */
  readonly startTime: string;
  /** When the job left `running` (or was cancelled before it started); null before. */
  readonly endTime: string | null;
  readonly maxExecutionTimeInSeconds: number;
  /** `scheduleUpdateTwin`: the twin-shaped patch (tags, properties.desired) as sent. */
  readonly updateTwin: JsonObject | null;
  readonly cloudToDeviceMethod: JobMethod | null;
  readonly status: JobStatus;
  readonly failureReason: string | null;
  readonly statusMessage: string | null;
}

/** One device's part in a job (a `devices.jobs` row). */
export interface DeviceJobRecord {
  readonly deviceId: string;
  readonly status: DeviceJobStatus;
  readonly startTimeUtc: string | null;
  readonly endTimeUtc: string | null;
  readonly createdDateTimeUtc: string;
  readonly lastUpdatedDateTimeUtc: string;
  /** `{deviceMethodResponse: {status, payload}}` for a method job that reached the device; null otherwise. */
  readonly outcome: JsonObject | null;
  readonly error: { readonly code: string; readonly description: string } | null;
}

/** A job with its devices, keyed by device id. Replaced, never mutated. */
export interface StoredJob {
  readonly job: JobRecord;
  readonly devices: Readonly<Record<string, DeviceJobRecord>>;
}

/** Job statuses after which nothing changes. */
export function isFinished(status: JobStatus): boolean {
  return status === 'completed' || status === 'failed' || status === 'cancelled';
}
