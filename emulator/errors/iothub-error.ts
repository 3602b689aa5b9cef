/**
 * The one error type of the emulator (house-style H9). Every failure a client can see is an IotHubError built by a
 * factory in `catalogue.ts`; the per-protocol mappers (`to-mqtt.ts`, `to-http.ts`) turn it into wire form.
 */
export class IotHubError extends Error {
  /** IoT Hub error name, e.g. `DeviceNotFound`, `ArgumentInvalid` (sent as `iothub-errorcode`). */
  readonly code: string;
  /** HTTP status (also used as the status segment of `$iothub/twin/res/<status>/`). */
  readonly httpStatus: number;
  /** The hub's 6-digit numeric error code, e.g. 400004. */
  readonly errorCode: number;
  /** Opaque id the hub attaches to every error so a log line can be found again. */
  readonly trackingId: string;
  /** Seconds a throttled client should wait before retrying (sent as REST `Retry-After`); absent for other errors. */
  readonly retryAfterSeconds: number | undefined;

  constructor(init: { code: string; httpStatus: number; errorCode: number; message: string; trackingId?: string; retryAfterSeconds?: number }) {
    super(init.message);
    this.name = 'IotHubError';
    this.code = init.code;
    this.httpStatus = init.httpStatus;
    this.errorCode = init.errorCode;
    this.trackingId = init.trackingId ?? newTrackingId();
    this.retryAfterSeconds = init.retryAfterSeconds;
  }
}

/** True when the value is an IotHubError (also across module copies). */
export function isIotHubError(value: unknown): value is IotHubError {
  return value instanceof IotHubError;
}

let trackingCounter = 0;

/** Tracking ids look like the hub's (32 hex chars); uniqueness within one emulator run is all we need. */
function newTrackingId(): string {
  trackingCounter = (trackingCounter + 1) % 0xffffffff;
  const time = Date.now().toString(16).padStart(12, '0');
  const random = Math.floor(Math.random() * 0xffffffff).toString(16).padStart(8, '0');
  return `${time}${random}${trackingCounter.toString(16).padStart(12, '0')}`.slice(0, 32);
}
