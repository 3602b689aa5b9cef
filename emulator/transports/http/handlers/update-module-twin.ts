import { deviceIdOf, ifMatchOf, moduleIdOf, serviceTwinBodyOf } from '../request-input.js';
import type { RestOperation } from '../rest-types.js';

/** `PATCH /twins/{deviceId}/modules/{moduleId}`: merge tags and desired of the module twin. */
export const updateModuleTwin: RestOperation = async (request, { twins }) => ({
  status: 200,
  body: await twins.writeTwin(
    request.context,
    { deviceId: deviceIdOf(request), moduleId: moduleIdOf(request) },
    serviceTwinBodyOf(request),
    'merge',
    ifMatchOf(request),
  ),
});
