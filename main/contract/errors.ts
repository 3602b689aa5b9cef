/**
 * The result envelope every contract call returns (house-style H15). Errors keep the hub's own code, so a stale
 * etag surfaces in the UI exactly as a service SDK sees it: `PreconditionFailed` with HTTP status 412.
 */

/** Codes produced by the studio itself; hub errors use the hub's names (`DeviceNotFound`, `PreconditionFailed` …). */
export type StudioErrorCode =
  | 'UnknownChannel'
  | 'InvalidPayload'
  | 'HubNotRunning'
  | 'NotSupported'
  | 'QueryError'
  | 'Unauthorized'
  | 'InternalError';

/** A failure, serializable across IPC and HTTP. */
export interface IpcError {
  /** `StudioErrorCode` or an IoT Hub error name. */
  readonly code: string;
  readonly message: string;
  /** HTTP status the hub would have answered with, when the error came from the hub. */
  readonly httpStatus?: number;
  /** The hub's 6-digit error code, when the error came from the hub. */
  readonly errorCode?: number;
  /** Extra facts: query error span (`position`, `length`), invalid payload issues … */
  readonly details?: { readonly [key: string]: unknown };
}

/** Success or failure of one call. */
export type Envelope<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: IpcError };

/** Wraps a value. */
export function ok<T>(value: T): Envelope<T> {
  return { ok: true, value };
}

/** Wraps an error. */
export function fail(code: string, message: string, extra: Omit<IpcError, 'code' | 'message'> = {}): Envelope<never> {
  return { ok: false, error: { code, message, ...extra } };
}

/** True for the conflict a stale etag produces (iothub-protocol.md §7.5). */
export function isPreconditionFailed(error: IpcError): boolean {
  return error.code === 'PreconditionFailed' || error.httpStatus === 412;
}
