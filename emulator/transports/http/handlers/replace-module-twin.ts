import { deviceIdOf, ifMatchOf, moduleIdOf, serviceTwinBodyOf } from '../request-input.js';
import type { RestOperation } from '../rest-types.js';

/** `PUT /twins/{deviceId}/modules/{moduleId}`: replace tags and desired; reported is untouched. */
export const replaceModuleTwin: RestOperation = async (request, { twins }) => ({
  status: 200,
  body: await twins.writeTwin(
    request.context,
    { deviceId: deviceIdOf(request), moduleId: moduleIdOf(request) },
    serviceTwinBodyOf(request),
    'replace',
    ifMatchOf(request),
  ),
});
