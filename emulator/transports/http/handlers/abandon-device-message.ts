import type { DeviceOperation } from '../device-types.js';
import { lockTokenOf } from './complete-device-message.js';

/**
 * `POST /devices/{id}/messages/devicebound/{lockToken}/abandon` (iothub-protocol-2.md §4.4, checklist 149): the lock
 * ends and the message is visible again, its delivery count already raised. 204; 412 DeviceMessageLockLost.
 */
export const abandonDeviceMessage: DeviceOperation = async (request, services) => {
  await services.c2d.abandonLocked(request.address.deviceId, lockTokenOf(request));
  return { status: 204 };
};
