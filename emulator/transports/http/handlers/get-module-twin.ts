import { deviceIdOf, moduleIdOf } from '../request-input.js';
import type { RestOperation } from '../rest-types.js';

/** `GET /twins/{deviceId}/modules/{moduleId}` → the module twin (device twin shape plus `moduleId`). */
export const getModuleTwin: RestOperation = (request, { twins }) => ({
  status: 200,
  body: twins.getServiceTwin({ deviceId: deviceIdOf(request), moduleId: moduleIdOf(request) }),
});
