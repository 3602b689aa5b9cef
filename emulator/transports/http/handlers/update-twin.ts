import { deviceIdOf, ifMatchOf } from '../request-input.js';
import type { RestOperation } from '../rest-types.js';

/** `PATCH /twins/{deviceId}`: merge tags and desired; the device hears the desired change at once (§7.4). */
export const updateTwin: RestOperation = async (request, { twins }) => ({
  status: 200,
  body: await twins.updateTwin(deviceIdOf(request), request.body, ifMatchOf(request)),
});
