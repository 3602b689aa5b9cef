import { moduleJson } from '../module-json.js';
import { deviceIdOf, moduleIdOf } from '../request-input.js';
import type { RestOperation } from '../rest-types.js';

/** `GET /devices/{deviceId}/modules/{moduleId}` → module JSON, 404 ModuleNotFound. */
export const getModule: RestOperation = (request, { modules }) => ({
  status: 200,
  body: moduleJson(modules.get(deviceIdOf(request), moduleIdOf(request)), modules),
});
