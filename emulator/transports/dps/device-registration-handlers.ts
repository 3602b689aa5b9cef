import { RETRY_AFTER_SECONDS } from '../../provisioning/registration-service.js';
import type { OperationStatus } from '../../provisioning/operations.js';
import { registrationJson } from './enrollment-json.js';
import type { DpsOperation, DpsResponse } from './dps-types.js';

// The device side over HTTPS (iothub-protocol-2.md §2.4): register, poll the operation, look up the state.

export const registerDevice: DpsOperation = ({ body, context, device }, { registrations }) => {
  if (!device) throw new Error('device route without a device');
  return operationReply(registrations.register(context, device, body));
};

export const getOperationStatus: DpsOperation = ({ params, device }, { registrations }) => {
  if (!device) throw new Error('device route without a device');
  return operationReply(registrations.operationStatus(device.registrationId, params.operationId ?? ''));
};

export const getDeviceRegistration: DpsOperation = ({ device }, { enrollments }) => {
  if (!device) throw new Error('device route without a device');
  return { status: 200, body: registrationJson(enrollments.getRegistration(device.registrationId)) };
};

/** 202 + `Retry-After` while assigning, 200 with the registration state once done. */
export function operationReply(status: OperationStatus): DpsResponse {
  if (status.status === 'assigning') return { status: 202, body: { operationId: status.operationId, status: 'assigning' }, headers: { 'retry-after': String(RETRY_AFTER_SECONDS) } };
  return { status: 200, body: operationJson(status) };
}

/** The RegistrationOperationStatus body (§2.5). */
export function operationJson(status: OperationStatus): unknown {
  return {
    operationId: status.operationId,
    status: status.status,
    ...(status.registrationState ? { registrationState: registrationJson(status.registrationState) } : {}),
  };
}
