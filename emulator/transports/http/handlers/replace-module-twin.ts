import { deviceIdOf, ifMatchOf, moduleIdOf } from '../request-input.js';
import type { RestOperation } from '../rest-types.js';

/** `PUT /twins/{deviceId}/modules/{moduleId}`: replace tags and desired; reported is untouched. */
export const replaceModuleTwin: RestOperation = async (request, { modules }) => ({
  status: 200,
  body: await modules.writeTwin(deviceIdOf(request), moduleIdOf(request), request.body, 'replace', ifMatchOf(request)),
});
