import { argumentInvalid } from '../../errors/catalogue.js';
import { isJsonObject, type JsonObject } from '../../model/json.js';
import type { JobStatus, JobType } from '../../model/job.js';
import type { JobRequest } from '../../services/jobs/job-service.js';
import { parseServiceTwinBody } from '../../twin/service-twin-body.js';
import { methodInvocationFrom, objectBody } from './request-input.js';
import type { RestRequest } from './rest-types.js';

// Turns the jobs v2 REST input (iothub-protocol-2.md §7.1-7.2) into typed values (house-style H8).

const JOB_TYPES: readonly JobType[] = ['scheduleUpdateTwin', 'scheduleDeviceMethod'];
/** `jobStatus` filter values: the hub's own, plus the Node SDK's `finished` and the Swagger's `enqueued`. */
const STATUS_FILTERS: Readonly<Record<string, JobStatus>> = {
  queued: 'queued', enqueued: 'queued', scheduled: 'scheduled', running: 'running',
  completed: 'completed', finished: 'completed', failed: 'failed', cancelled: 'cancelled',
};
const JOB_ID = /^[A-Za-z0-9\-:.+%_#*?!(),=@;$']{1,128}$/;
/** The longest job run the hub accepts here: a week. */
const MAX_EXECUTION_SECONDS = 7 * 24 * 3600;

/** The `{jobId}` route parameter. */
export function jobIdOf(request: RestRequest): string {
  const jobId = request.params.jobId ?? '';
  if (!JOB_ID.test(jobId)) throw argumentInvalid(`The job id '${jobId}' is invalid: use up to 128 letters, digits and - : . + % _ # * ? ! ( ) , = @ ; $ '.`);
  return jobId;
}

/** The body of `PUT /jobs/v2/{jobId}`; `jobId` in the body, when given, must equal the path. */
export function jobRequestOf(request: RestRequest): JobRequest {
  return parseJobRequest(jobIdOf(request), objectBody(request));
}

/** A job request body for `jobId` (REST and the studio), checked into a JobRequest. */
export function parseJobRequest(jobId: string, body: Record<string, unknown>): JobRequest {
  if (!JOB_ID.test(jobId)) throw argumentInvalid(`The job id '${jobId}' is invalid: use up to 128 letters, digits and - : . + % _ # * ? ! ( ) , = @ ; $ '.`);
  if (body.jobId !== undefined && body.jobId !== jobId) throw argumentInvalid(`The jobId in the body ('${String(body.jobId)}') does not match the path ('${jobId}').`);
  const type = body.type;
  if (typeof type !== 'string' || !JOB_TYPES.includes(type as JobType)) {
    throw argumentInvalid(`The job type '${String(type)}' is not supported: use scheduleUpdateTwin or scheduleDeviceMethod.`);
  }
  const queryCondition = body.queryCondition;
  if (typeof queryCondition !== 'string' || queryCondition.trim() === '') throw argumentInvalid('queryCondition is required: a WHERE clause over device twins.');
  return {
    jobId,
    type: type as JobType,
    queryCondition,
    startTime: startTimeOf(body.startTime),
    maxExecutionTimeInSeconds: maxExecutionOf(body.maxExecutionTimeInSeconds),
    updateTwin: type === 'scheduleUpdateTwin' ? updateTwinOf(body.updateTwin) : null,
    cloudToDeviceMethod: type === 'scheduleDeviceMethod' ? methodOf(body.cloudToDeviceMethod) : null,
  };
}

/** `jobType` and `jobStatus` of `GET /jobs/v2/query`. */
export function jobFilterOf(request: RestRequest): { type?: JobType; status?: JobStatus } {
  const type = request.query.get('jobType');
  const status = request.query.get('jobStatus');
  const filter: { type?: JobType; status?: JobStatus } = {};
  if (type !== null && type !== '') {
    if (!JOB_TYPES.includes(type as JobType)) throw argumentInvalid(`Unknown jobType '${type}'.`);
    filter.type = type as JobType;
  }
  if (status !== null && status !== '') {
    const mapped = Object.hasOwn(STATUS_FILTERS, status.toLowerCase()) ? STATUS_FILTERS[status.toLowerCase()] : undefined;
    if (mapped === undefined) throw argumentInvalid(`Unknown jobStatus '${status}'.`);
    filter.status = mapped;
  }
  return filter;
}

function startTimeOf(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  const time = typeof value === 'string' ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(time)) throw argumentInvalid(`startTime must be an ISO 8601 time, got ${JSON.stringify(value)}.`);
  return new Date(time).toISOString();
}

function maxExecutionOf(value: unknown): number {
  if (value === undefined || value === null) return 3600;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > MAX_EXECUTION_SECONDS) {
    throw argumentInvalid(`maxExecutionTimeInSeconds must be an integer from 1 to ${MAX_EXECUTION_SECONDS}, got ${JSON.stringify(value)}.`);
  }
  return value;
}

function updateTwinOf(value: unknown): JsonObject {
  if (!isJsonObject(value)) throw argumentInvalid('updateTwin is required for a scheduleUpdateTwin job: a twin patch with tags and/or properties.desired.');
  const parsed = parseServiceTwinBody(value);
  if (parsed.tags === undefined && parsed.desired === undefined) throw argumentInvalid('updateTwin changes nothing: give tags and/or properties.desired.');
  return value;
}

function methodOf(value: unknown): JobRequest['cloudToDeviceMethod'] {
  if (!isJsonObject(value)) throw argumentInvalid('cloudToDeviceMethod is required for a scheduleDeviceMethod job.');
  const call = methodInvocationFrom(value, 'job');
  return {
    methodName: call.methodName,
    payload: call.payload,
    responseTimeoutInSeconds: call.responseTimeoutInSeconds,
    connectTimeoutInSeconds: call.connectTimeoutInSeconds,
  };
}
