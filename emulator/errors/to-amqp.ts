import { isIotHubError, type IotHubError } from './iothub-error.js';
import { serverError } from './catalogue.js';

/** An AMQP error (`amqp:…` / `com.microsoft:…` condition) as rhea sends it in a disposition or detach. */
export interface AmqpErrorCondition {
  readonly condition: string;
  readonly description: string;
  readonly info?: Record<string, string | number>;
}

/**
 * Conditions the Node service SDK turns back into its typed errors (`amqp_service_errors.ts`,
 * `amqp_common_errors.ts`): e.g. `amqp:resource-limit-exceeded` → DeviceMaximumQueueDepthExceededError,
 * `amqp:not-found` → DeviceNotFoundError.
 */
const CONDITIONS: Readonly<Record<string, string>> = {
  DeviceMaximumQueueDepthExceeded: 'amqp:resource-limit-exceeded',
  DeviceNotFound: 'amqp:not-found',
  MessageTooLarge: 'amqp:link:message-size-exceeded',
  IotHubUnauthorizedAccess: 'amqp:unauthorized-access',
  ArgumentInvalid: 'com.microsoft:argument-error',
  IotHubFormatError: 'com.microsoft:argument-error',
  PreconditionFailed: 'com.microsoft:precondition-failed',
  NotSupported: 'amqp:not-implemented',
  // Throttling and the daily quota (iothub-protocol-2.md §10.2): Node maps these to ThrottlingError and
  // IotHubQuotaExceededError.
  ThrottlingException: 'com.microsoft:device-container-throttled',
  ThrottleBacklogLimitExceeded: 'com.microsoft:device-container-throttled',
  IotHubQuotaExceeded: 'amqp:resource-limit-exceeded',
  // A Basic tier's missing feature (403010): not retryable for the Node SDKs (InvalidOperationError).
  OperationNotAvailableInCurrentTier: 'amqp:not-allowed',
};

/** IotHubError → AMQP error condition (house-style H9); anything else is `amqp:internal-error`. */
export function toAmqpError(error: unknown): AmqpErrorCondition {
  const hubError: IotHubError = isIotHubError(error) ? error : serverError();
  return {
    condition: CONDITIONS[hubError.code] ?? 'amqp:internal-error',
    description: hubError.message,
    info: { 'com.microsoft:tracking-id': hubError.trackingId, 'com.microsoft:error-code': hubError.errorCode },
  };
}
