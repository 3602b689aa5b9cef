import { moduleJson } from '../module-json.js';
import { deviceIdOf } from '../request-input.js';
import type { RestOperation } from '../rest-types.js';

/** `GET /devices/{deviceId}/modules` → the device's module identities. */
export const listModules: RestOperation = (request, { modules }) => ({
  status: 200,
  body: modules.list(deviceIdOf(request)).map((record) => moduleJson(record, modules)),
});
