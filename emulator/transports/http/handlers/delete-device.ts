import { deviceIdOf, ifMatchOf } from '../request-input.js';
import type { RestOperation } from '../rest-types.js';

/** `DELETE /devices/{deviceId}` → 204; the twin and the C2D queue go with it (iothub-protocol.md §8.2). */
export const deleteDevice: RestOperation = async (request, { registry }) => {
  await registry.delete(deviceIdOf(request), ifMatchOf(request));
  return { status: 204 };
};
