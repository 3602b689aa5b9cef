import { serverError } from './catalogue.js';
import { isIotHubError, type IotHubError } from './iothub-error.js';

/** A DPS error in wire form: the status and the JSON body (HTTP also sends `x-ms-error-code`). */
export interface DpsErrorReply {
  readonly status: number;
  readonly errorCode: number;
  readonly body: string;
}

/**
 * IotHubError → the provisioning service's envelope (iothub-protocol-2.md §2.5):
 * `{"errorCode":401002,"trackingId":"…","message":"…","timestampUtc":"…"}`, the same over MQTT
 * (`$dps/registrations/res/<status>/`) and HTTPS. Any other thrown value is a 500.
 */
export function toDpsError(error: unknown, now: Date): DpsErrorReply {
  const dpsError: IotHubError = isIotHubError(error) ? error : serverError();
  const body = JSON.stringify({ errorCode: dpsError.errorCode, trackingId: dpsError.trackingId, message: dpsError.message, timestampUtc: now.toISOString() });
  return { status: dpsError.httpStatus, errorCode: dpsError.errorCode, body };
}
