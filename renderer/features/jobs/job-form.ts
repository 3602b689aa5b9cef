import type { JsonObject } from '../../../emulator/model/json.js';

/** What the job form holds. */
export interface JobFormValues {
  readonly jobId: string;
  readonly type: 'scheduleUpdateTwin' | 'scheduleDeviceMethod';
  readonly queryCondition: string;
  /** JSON text: the twin patch (`{"properties":{"desired":…},"tags":…}`) or the method payload. */
  readonly body: string;
  readonly methodName: string;
  /** Seconds from now; 0 starts at once. */
  readonly startInSeconds: number;
  readonly maxExecutionTimeInSeconds: number;
}

/** The JobRequest body the hub takes (iothub-protocol-2.md §7.2), or the reason the form cannot make one. */
export function jobRequestOf(values: JobFormValues, now: Date): { ok: true; job: JsonObject } | { ok: false; message: string } {
  if (values.jobId.trim() === '') return { ok: false, message: 'Give the job an id.' };
  if (values.queryCondition.trim() === '') return { ok: false, message: "Give a query condition, e.g. tags.site = 'a'." };
  let parsed: JsonObject | null;
  try {
    parsed = JSON.parse(values.body) as JsonObject | null;
  } catch (error) {
    return { ok: false, message: `The JSON is not valid: ${error instanceof Error ? error.message : String(error)}` };
  }
  const startTime = values.startInSeconds > 0 ? new Date(now.getTime() + values.startInSeconds * 1000).toISOString() : null;
  const common = { jobId: values.jobId, type: values.type, queryCondition: values.queryCondition, startTime, maxExecutionTimeInSeconds: values.maxExecutionTimeInSeconds };
  if (values.type === 'scheduleUpdateTwin') return { ok: true, job: { ...common, updateTwin: parsed } };
  if (values.methodName.trim() === '') return { ok: false, message: 'Give the method name.' };
  return { ok: true, job: { ...common, cloudToDeviceMethod: { methodName: values.methodName, payload: parsed, responseTimeoutInSeconds: 30 } } };
}
