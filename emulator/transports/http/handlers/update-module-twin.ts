import { deviceIdOf, ifMatchOf, moduleIdOf } from '../request-input.js';
import type { RestOperation } from '../rest-types.js';

/** `PATCH /twins/{deviceId}/modules/{moduleId}`: merge tags and desired; the module hears the desired change. */
export const updateModuleTwin: RestOperation = async (request, { modules }) => ({
  status: 200,
  body: await modules.writeTwin(deviceIdOf(request), moduleIdOf(request), request.body, 'merge', ifMatchOf(request)),
});
