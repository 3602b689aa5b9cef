import { isIotHubError, type IotHubError } from './iothub-error.js';
import { serverError } from './catalogue.js';

/**
 * The MQTT wire form of an error: the status for `$iothub/.../res/<status>/` and a JSON body with a numeric
 * `errorCode` (the Node SDK ignores the status and only notices `errorCode`: iothub-protocol.md §4.5).
 */
export function toMqttError(error: unknown, now: Date): { status: number; body: string } {
  const hubError: IotHubError = isIotHubError(error) ? error : serverError();
  const body = JSON.stringify({
    errorCode: hubError.errorCode,
    trackingId: hubError.trackingId,
    message: hubError.message,
    timestampUtc: now.toISOString(),
  });
  return { status: hubError.httpStatus, body };
}
