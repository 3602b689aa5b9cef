import { serverError } from './catalogue.js';
import { isIotHubError, type IotHubError } from './iothub-error.js';
import type { AmqpErrorCondition } from './to-amqp.js';

/**
 * A provisioning (DPS) error as an AMQP condition, by its status, so that `azure-iot-amqp-base`'s `translateError`
 * gives the DPS device SDK the error class its MQTT and HTTPS transports give for that status: 401 →
 * `amqp:unauthorized-access` (UnauthorizedError), 404 → `amqp:not-found` (DeviceNotFoundError), other 4xx →
 * `com.microsoft:argument-error` (ArgumentError), 429 → `com.microsoft:device-container-throttled` (ThrottlingError,
 * retried), anything else `amqp:internal-error` (InternalServerError, retried). The info carries DPS's errorCode.
 */
export function toDpsAmqpError(error: unknown): AmqpErrorCondition {
  const dpsError: IotHubError = isIotHubError(error) ? error : serverError();
  const status = dpsError.httpStatus;
  const condition =
    status === 401 ? 'amqp:unauthorized-access'
    : status === 404 ? 'amqp:not-found'
    : status === 429 ? 'com.microsoft:device-container-throttled'
    : status >= 400 && status < 500 ? 'com.microsoft:argument-error'
    : 'amqp:internal-error';
  return { condition, description: dpsError.message, info: { 'com.microsoft:tracking-id': dpsError.trackingId, 'com.microsoft:error-code': dpsError.errorCode } };
}
