import { IotHubError } from '../errors/iothub-error.js';
import { unauthorized } from '../errors/catalogue.js';
import type { SdkErrorFault } from './sdk-faults.js';

/**
 * The errors the SDKs' error faults produce (iothub-protocol-2.md §10.2/§10.3): the codes of the tier emulation's
 * `throttled` and `quotaExceeded` (errors/catalogue.ts), 429001 ThrottlingException and 403002 IotHubQuotaExceeded,
 * worded for the fault, and the catalogue's 401 unauthorized; each transport maps them as it maps the tier's.
 */
export function faultError(fault: SdkErrorFault): IotHubError {
  switch (fault) {
    case 'InvokeThrottling':
      return new IotHubError({ code: 'ThrottlingException', httpStatus: 429, errorCode: 429001, message: 'IotHub throttling exceeded (injected fault InvokeThrottling).', retryAfterSeconds: 1 });
    case 'InvokeMaxMessageQuota':
      return new IotHubError({ code: 'IotHubQuotaExceeded', httpStatus: 403, errorCode: 403002, message: 'Total number of messages on IotHub exceeded the allocated quota (injected fault InvokeMaxMessageQuota).' });
    default:
      return unauthorized('The device is not authorized (injected fault InvokeAuthError).');
  }
}

/** A new connection refused by the `refuseConnections` fault: 503 ServiceUnavailable, which the SDKs retry. */
export function connectionRefused(reason: string): IotHubError {
  return new IotHubError({ code: 'ServiceUnavailable', httpStatus: 503, errorCode: 503000, message: `The hub refused the connection: ${reason}.` });
}
