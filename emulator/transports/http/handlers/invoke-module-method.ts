import { deviceIdOf, methodInvocationOf, moduleIdOf } from '../request-input.js';
import type { RestOperation } from '../rest-types.js';

/** `POST /twins/{deviceId}/modules/{moduleId}/methods`: like the device form, to the module's connection only. */
export const invokeModuleMethod: RestOperation = async (request, { methods, modules }) => {
  const deviceId = deviceIdOf(request);
  const moduleId = moduleIdOf(request);
  modules.get(deviceId, moduleId);
  const result = await methods.invoke(methodInvocationOf(request, deviceId, moduleId));
  return { status: 200, body: { status: result.status, payload: result.payload } };
};
