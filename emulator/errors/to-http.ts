import { isIotHubError, type IotHubError } from './iothub-error.js';
import { serverError } from './catalogue.js';

/** An HTTP error response in the hub's wire form. */
export interface HttpErrorResponse {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/**
 * IotHubError → REST (iothub-protocol.md §8.4): `iothub-errorcode` header plus envelope 1
 * `{"Message":"ErrorCode:<Code>;<text>","ExceptionMessage":"Tracking ID:…"}`, or envelope 2 (nested JSON) for
 * direct-method errors, which the hub reports with numeric codes.
 */
export function toHttpError(error: unknown, now: Date): HttpErrorResponse {
  const hubError: IotHubError = isIotHubError(error) ? error : serverError();
  const nested = hubError.code === 'DeviceNotOnline' || hubError.code === 'GatewayTimeout';
  const envelope = nested
    ? {
        Message: JSON.stringify({
          errorCode: hubError.errorCode,
          trackingId: hubError.trackingId,
          message: hubError.message,
          info: {},
          timestampUtc: now.toISOString(),
        }),
        ExceptionMessage: '',
      }
    : {
        Message: `ErrorCode:${hubError.code};${hubError.message}`,
        ExceptionMessage: `Tracking ID:${hubError.trackingId}-G:0-TimeStamp:${hubTimestamp(now)}`,
      };
  return {
    status: hubError.httpStatus,
    headers: {
      'content-type': 'application/json; charset=utf-8',
      'iothub-errorcode': hubError.code,
      ...(hubError.retryAfterSeconds === undefined ? {} : { 'retry-after': String(hubError.retryAfterSeconds) }),
    },
    body: JSON.stringify(envelope),
  };
}

/** `MM/dd/yyyy HH:mm:ss` in UTC, as in the hub's ExceptionMessage. */
function hubTimestamp(now: Date): string {
  const pad = (value: number) => String(value).padStart(2, '0');
  return `${pad(now.getUTCMonth() + 1)}/${pad(now.getUTCDate())}/${now.getUTCFullYear()} ${pad(now.getUTCHours())}:${pad(now.getUTCMinutes())}:${pad(now.getUTCSeconds())}`;
}
