import { deviceIdOf, methodInvocationOf } from '../request-input.js';
import type { RestOperation } from '../rest-types.js';

/**
 * `POST /twins/{deviceId}/methods` (iothub-protocol.md §5.2): 200 `{status, payload}` with the device's own status
 * (even 500), 404 DeviceNotOnline when the device is offline or has not subscribed, 504 on timeout.
 */
export const invokeDeviceMethod: RestOperation = async (request, { methods }) => {
  const result = await methods.invoke(methodInvocationOf(request, deviceIdOf(request)));
  return { status: 200, body: { status: result.status, payload: result.payload } };
};
