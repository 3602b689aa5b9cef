import { IotHubError } from './iothub-error.js';

// The catalogue of every error the emulator sends, with IoT Hub's names and numeric codes
// (iothub-protocol.md §8.4, "Common codes"). Shared by MQTT, REST and AMQP (house-style H9): never build an
// IotHubError anywhere else.

/** 400004: the request is well formed JSON but breaks a twin/identity rule, or is not JSON at all. */
export function argumentInvalid(message: string): IotHubError {
  return new IotHubError({ code: 'ArgumentInvalid', httpStatus: 400, errorCode: 400004, message });
}

/** 400006: a body that is not valid JSON (IotHubFormatError). */
export function malformedJson(detail: string): IotHubError {
  return new IotHubError({
    code: 'IotHubFormatError',
    httpStatus: 400,
    errorCode: 400006,
    message: `Malformed JSON: ${detail}`,
  });
}

/** 401002: bad, expired or missing SAS token, or a policy without the needed permission. */
export function unauthorized(message = 'Unauthorized'): IotHubError {
  return new IotHubError({ code: 'IotHubUnauthorizedAccess', httpStatus: 401, errorCode: 401002, message });
}

/** 404001 */
export function deviceNotFound(deviceId: string): IotHubError {
  return new IotHubError({
    code: 'DeviceNotFound',
    httpStatus: 404,
    errorCode: 404001,
    message: `Device ${deviceId} not registered`,
  });
}

/** 404010 */
export function moduleNotFound(deviceId: string, moduleId: string): IotHubError {
  return new IotHubError({
    code: 'ModuleNotFound',
    httpStatus: 404,
    errorCode: 404010,
    message: `Module ${moduleId} on device ${deviceId} not registered`,
  });
}

/** 409001 */
export function deviceAlreadyExists(deviceId: string): IotHubError {
  return new IotHubError({
    code: 'DeviceAlreadyExists',
    httpStatus: 409,
    errorCode: 409001,
    message: `A device with ID '${deviceId}' is already registered.`,
  });
}

/** 409301 */
export function moduleAlreadyExists(deviceId: string, moduleId: string): IotHubError {
  return new IotHubError({
    code: 'ModuleAlreadyExistsOnDevice',
    httpStatus: 409,
    errorCode: 409301,
    message: `A module with ID '${moduleId}' is already registered on device '${deviceId}'.`,
  });
}

/** 412001: If-Match did not match the current etag. */
export function preconditionFailed(message = 'Precondition failed: the etag does not match the current version.'): IotHubError {
  return new IotHubError({ code: 'PreconditionFailed', httpStatus: 412, errorCode: 412001, message });
}

/** 412002: settling an HTTPS-received C2D message with an unknown or expired lock (iothub-protocol-2.md §4.4). */
export function deviceMessageLockLost(lockToken: string): IotHubError {
  return new IotHubError({
    code: 'DeviceMessageLockLost',
    httpStatus: 412,
    errorCode: 412002,
    message: `The lock token '${lockToken}' is not valid: the message was settled, or its lock expired.`,
  });
}

/** 404: no consumer group of that name on the built-in endpoint (Resource Manager answers `NotFound`). */
export function consumerGroupNotFound(name: string): IotHubError {
  return new IotHubError({ code: 'NotFound', httpStatus: 404, errorCode: 404000, message: `The consumer group '${name}' does not exist on the built-in endpoint 'events'.` });
}

/** 400014: a device asked for a file-upload SAS URI, and the hub has no storage account linked (none here). */
export function defaultStorageEndpointNotConfigured(): IotHubError {
  return new IotHubError({
    code: 'DefaultStorageEndpointNotConfigured',
    httpStatus: 400,
    errorCode: 400014,
    message: 'File upload is not configured for this hub: no storage account is linked (the emulator has none).',
  });
}

/** 400015: a file-upload notification names a correlation id the hub never handed out. */
export function invalidFileUploadCorrelationId(correlationId: string): IotHubError {
  return new IotHubError({
    code: 'InvalidFileUploadCorrelationId',
    httpStatus: 400,
    errorCode: 400015,
    message: `The file upload correlation id '${correlationId}' is not valid.`,
  });
}

/** 413001 */
export function messageTooLarge(message: string): IotHubError {
  return new IotHubError({ code: 'MessageTooLarge', httpStatus: 413, errorCode: 413001, message });
}

/** 404103: direct method to a device that is offline or has not subscribed to methods. */
export function deviceNotOnline(deviceId: string): IotHubError {
  return new IotHubError({
    code: 'DeviceNotOnline',
    httpStatus: 404,
    errorCode: 404103,
    message: `The operation failed because the requested device ${deviceId} isn't online or hasn't registered the direct method callback.`,
  });
}

/** 504101: the device did not answer a direct method in time. */
export function gatewayTimeout(): IotHubError {
  return new IotHubError({
    code: 'GatewayTimeout',
    httpStatus: 504,
    errorCode: 504101,
    message: 'Timed out waiting for the response from device.',
  });
}

/** 403004 */
export function queueDepthExceeded(deviceId: string, max: number): IotHubError {
  return new IotHubError({
    code: 'DeviceMaximumQueueDepthExceeded',
    httpStatus: 403,
    errorCode: 403004,
    message: `The device ${deviceId} has reached the maximum of ${max} pending cloud-to-device messages.`,
  });
}

/** 404: a REST route the hub does not have. */
export function routeNotFound(method: string, path: string): IotHubError {
  return new IotHubError({
    code: 'NotFound',
    httpStatus: 404,
    errorCode: 404000,
    message: `No route for ${method} ${path}`,
  });
}

/** 501: a real IoT Hub feature the emulator does not implement (strict mode). */
export function notSupported(feature: string): IotHubError {
  return new IotHubError({
    code: 'NotSupported',
    httpStatus: 501,
    errorCode: 501000,
    message: `${feature} is not supported by the Twin Studio emulator.`,
  });
}

/** 500001: any unexpected failure; the cause is logged, never sent. */
export function serverError(message = 'Internal server error'): IotHubError {
  return new IotHubError({ code: 'ServerError', httpStatus: 500, errorCode: 500001, message });
}

/**
 * A write another hub node of a cluster beat to the same record (docs/cluster.md): planned against a state that is
 * no longer the latest, so the store refused it. Services plan such a write again (`HubData.retrying`); a client
 * sees it, as 503001 like `storeUnavailable`, only when that keeps happening.
 */
export class StaleWriteError extends IotHubError {
  readonly stale = true;

  constructor(detail: string) {
    super({ code: 'ServiceUnavailable', httpStatus: 503, errorCode: 503001, message: `The hub cannot persist changes right now: ${detail}` });
  }
}

/** True for a {@link StaleWriteError}. */
export function isStaleWrite(error: unknown): error is StaleWriteError {
  return error instanceof StaleWriteError;
}

/** 503001: the store cannot persist (disk full, read-only); reads keep working. */
export function storeUnavailable(detail: string): IotHubError {
  return new IotHubError({
    code: 'ServiceUnavailable',
    httpStatus: 503,
    errorCode: 503001,
    message: `The hub cannot persist changes right now: ${detail}`,
  });
}

/** 400004 for a query the hub cannot run; the message names the 0-based position of the offending text (H13). */
export function queryInvalid(message: string, position: number): IotHubError {
  const located = /position \d+/.test(message) ? message : `${message} (at position ${position})`;
  return argumentInvalid(`Invalid query: ${located}`);
}

/** 413001 for a request body larger than the REST API accepts. */
export function requestBodyTooLarge(limitBytes: number): IotHubError {
  return messageTooLarge(`The request body exceeds the maximum of ${limitBytes} bytes.`);
}

/** 401002 for a valid token whose policy lacks the right an operation needs. */
export function missingRight(policyName: string, right: string): IotHubError {
  return unauthorized(`The policy '${policyName}' does not grant ${right}, which this operation needs.`);
}

/** 400011: the same id appears twice in one bulk registry call. */
export function deviceDefinedMultipleTimes(deviceId: string): IotHubError {
  return new IotHubError({
    code: 'DeviceDefinedMultipleTimes',
    httpStatus: 400,
    errorCode: 400011,
    message: `The device '${deviceId}' is defined more than once in the bulk request.`,
  });
}

// CA certificates (management plane, iothub-protocol-2.md §1.3). The resource provider answers in ARM's error shape
// (`{code, httpStatusCode, message}`, transports/http/management-api.ts); codes and numbers are the emulator's choice.

/** 404: no CA certificate of that name on the hub. */
export function certificateNotFound(name: string): IotHubError {
  return new IotHubError({ code: 'CertificateNotFound', httpStatus: 404, errorCode: 404005, message: `The certificate '${name}' does not exist on this IoT hub.` });
}

/** 400: the uploaded or proof-of-possession certificate is unusable, or breaks a certificate rule. */
export function invalidCertificate(message: string): IotHubError {
  return new IotHubError({ code: 'InvalidCertificate', httpStatus: 400, errorCode: 400040, message });
}

/** 400: proof of possession failed (no code generated, wrong CN, not signed by the CA). */
export function certificateVerificationFailed(message: string): IotHubError {
  return new IotHubError({ code: 'CertificateVerificationFailed', httpStatus: 400, errorCode: 400041, message });
}

/** 403: the caller's token is valid but not the `iothubowner` policy the management plane needs here. */
export function managementForbidden(policyName: string): IotHubError {
  return new IotHubError({
    code: 'AuthorizationFailed',
    httpStatus: 403,
    errorCode: 403000,
    message: `The policy '${policyName}' may not manage certificates; sign the bearer token with the iothubowner policy.`,
  });
}

/** 400: a Resource Manager request without `api-version`. */
export function managementApiVersionMissing(): IotHubError {
  return new IotHubError({ code: 'MissingApiVersionParameter', httpStatus: 400, errorCode: 400000, message: 'The api-version query parameter (?api-version=) is required for all requests.' });
}

/** 404: a Resource Manager path or resource this emulator does not have (`NotFound`, `ResourceNotFound`). */
export function managementNotFound(code: 'NotFound' | 'ResourceNotFound', message: string): IotHubError {
  return new IotHubError({ code, httpStatus: 404, errorCode: 404000, message });
}

/** 404002: no scheduled job with this id (jobs v2, iothub-protocol-2.md §7.1). */
export function jobNotFound(jobId: string): IotHubError {
  return new IotHubError({ code: 'JobNotFound', httpStatus: 404, errorCode: 404002, message: `The job '${jobId}' does not exist.` });
}

/** 409: a job id already used (iothub-protocol-2.md §7.1; code name and number are this emulator's choice, §12.7). */
export function jobAlreadyExists(jobId: string): IotHubError {
  return new IotHubError({ code: 'JobAlreadyExists', httpStatus: 409, errorCode: 409002, message: `A job with id '${jobId}' already exists.` });
}

/** 429004: more active (queued, scheduled or running) jobs than the hub allows (iothub-protocol-2.md §7.3). */
export function maxActiveJobsExceeded(max: number): IotHubError {
  return new IotHubError({
    code: 'ThrottlingMaxActiveJobCountExceeded',
    httpStatus: 429,
    errorCode: 429004,
    message: `The hub already has ${max} active jobs, the most it runs at once; wait for one to finish or cancel one.`,
  });
}

/** 404: no configuration with this id (iothub-protocol-2.md §8.1; the name is this emulator's choice, §12.8). */
export function configurationNotFound(id: string): IotHubError {
  return new IotHubError({ code: 'ConfigurationNotFound', httpStatus: 404, errorCode: 404011, message: `The configuration '${id}' does not exist.` });
}

/** 409: creating a configuration whose id exists (without If-Match). */
export function configurationAlreadyExists(id: string): IotHubError {
  return new IotHubError({ code: 'ConfigurationAlreadyExists', httpStatus: 409, errorCode: 409302, message: `A configuration with id '${id}' already exists.` });
}

/**
 * 400008: an import/export job whose blob container the hub cannot reach (iothub-protocol-2.md §7.5). The emulator
 * has no storage account linked, so every container is unreachable.
 */
export function blobContainerValidationError(detail: string): IotHubError {
  return new IotHubError({ code: 'BlobContainerValidationError', httpStatus: 400, errorCode: 400008, message: detail });
}

/** 404: a saved hub snapshot (studio, issue 18) that does not exist. Not an IoT Hub error: the emulator's own. */
export function snapshotNotFound(name: string): IotHubError {
  return new IotHubError({ code: 'SnapshotNotFound', httpStatus: 404, errorCode: 404001, message: `There is no hub snapshot named '${name}'.` });
}

/**
 * 429001: the per-unit throttle of an operation family is exceeded and the traffic-shaping queue is full
 * (iothub-protocol-2.md §10.2). `Retry-After` tells REST clients when the family has room again.
 */
export function throttled(family: string, retryAfterSeconds: number): IotHubError {
  return new IotHubError({
    code: 'ThrottlingException',
    httpStatus: 429,
    errorCode: 429001,
    message: `Throttling: the hub's ${family} throttle for its tier and units is exceeded; retry after ${retryAfterSeconds} s.`,
    retryAfterSeconds,
  });
}

/**
 * 429002: too many requests of one device wait in the traffic-shaping queue (iothub-protocol-2.md §10.2). IoT Hub
 * also disconnects the device connection that sent them; `endsDeviceConnection` tells the transports so.
 */
export function throttleBacklogLimitExceeded(device: string, limit: number): IotHubError {
  return new IotHubError({
    code: 'ThrottleBacklogLimitExceeded',
    httpStatus: 429,
    errorCode: 429002,
    message: `Throttle backlog limit exceeded: '${device}' already has ${limit} requests waiting in the throttling queue; the connection is closed.`,
    retryAfterSeconds: 1,
  });
}

/** True for an error after which the hub closes the device's connection (429002, §10.2). */
export function endsDeviceConnection(error: unknown): boolean {
  return error instanceof IotHubError && error.errorCode === 429002;
}

/** 403002: the daily message quota of the hub's tier and units is used up until 00:00 UTC (iothub-protocol-2.md §10.1). */
export function quotaExceeded(limit: number, resetsAt: string): IotHubError {
  return new IotHubError({
    code: 'IotHubQuotaExceeded',
    httpStatus: 403,
    errorCode: 403002,
    message: `Total number of messages on IotHub exceeded the allocated quota of ${limit} messages; it resets at ${resetsAt}.`,
  });
}

/**
 * 403010: a Basic-tier hub (B1–B3) does not offer the feature (twins, direct methods, C2D, scheduled jobs,
 * configurations, digital twins). The code and name are those of IoT Hub's error catalogue (troubleshoot-error-codes:
 * "403010 OperationNotAvailableInCurrentTier").
 */
export function operationNotAvailableInCurrentTier(feature: string, tier: string): IotHubError {
  return new IotHubError({
    code: 'OperationNotAvailableInCurrentTier',
    httpStatus: 403,
    errorCode: 403010,
    message: `The operation is not available in the current tier: ${feature} need a standard (S1–S3) or free hub; this hub is ${tier}.`,
  });
}
