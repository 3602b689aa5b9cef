import { deviceMessageLockLost } from '../../../errors/catalogue.js';
import type { DeviceOperation, DeviceRequest } from '../device-types.js';

/**
 * `DELETE /devices/{id}/messages/devicebound/{lockToken}` completes the message; with a bare `reject` in the query
 * (`?api-version=…&reject`, as Node and C# send it) it rejects it (iothub-protocol-2.md §4.4, checklist 149). 204;
 * 412 DeviceMessageLockLost for a lock that is unknown, expired or already settled (checklist 150).
 */
export const completeDeviceMessage: DeviceOperation = async (request, services) => {
  const lockToken = lockTokenOf(request);
  if (request.query.has('reject')) await services.c2d.rejectLocked(request.address.deviceId, lockToken);
  else await services.c2d.completeLocked(request.address.deviceId, lockToken);
  return { status: 204 };
};

/** The path's lock token; an `If-Match` (quoted or not) naming another token is a lost lock too. */
export function lockTokenOf(request: DeviceRequest): string {
  const lockToken = request.params.lockToken ?? '';
  const ifMatch = request.headers['if-match'];
  if (typeof ifMatch === 'string' && ifMatch.replace(/^"(.*)"$/, '$1') !== lockToken) throw deviceMessageLockLost(lockToken);
  return lockToken;
}
