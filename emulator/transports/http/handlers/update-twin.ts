import { deviceIdOf, ifMatchOf, serviceTwinBodyOf } from '../request-input.js';
import type { RestOperation } from '../rest-types.js';

/** `PATCH /twins/{deviceId}`: merge tags and desired; the device hears the desired change at once (§7.4). */
export const updateTwin: RestOperation = async (request, { twins }) => ({
  status: 200,
  body: await twins.writeTwin(request.context, { deviceId: deviceIdOf(request) }, serviceTwinBodyOf(request), 'merge', ifMatchOf(request)),
});
