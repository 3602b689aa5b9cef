import { deviceIdOf, ifMatchOf } from '../request-input.js';
import type { RestOperation } from '../rest-types.js';

/** `PUT /twins/{deviceId}`: replace tags and desired; reported is untouched (§7.4). */
export const replaceTwin: RestOperation = async (request, { twins }) => ({
  status: 200,
  body: await twins.replaceTwin(deviceIdOf(request), request.body, ifMatchOf(request)),
});
