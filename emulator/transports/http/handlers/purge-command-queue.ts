import { deviceIdOf } from '../request-input.js';
import type { RestOperation } from '../rest-types.js';

/** `DELETE /devices/{deviceId}/commands` → `{totalMessagesPurged, deviceId}` (iothub-protocol.md §6.3). */
export const purgeCommandQueue: RestOperation = async (request, { c2d }) => {
  const deviceId = deviceIdOf(request);
  const totalMessagesPurged = await c2d.purge(deviceId);
  return { status: 200, body: { totalMessagesPurged, deviceId } };
};
