import { deviceIdOf, ifMatchOf, moduleIdOf } from '../request-input.js';
import type { RestOperation } from '../rest-types.js';

/** `DELETE /devices/{deviceId}/modules/{moduleId}` → 204; the module twin and connection go with it. */
export const deleteModule: RestOperation = async (request, { modules }) => {
  await modules.delete(deviceIdOf(request), moduleIdOf(request), ifMatchOf(request));
  return { status: 204 };
};
