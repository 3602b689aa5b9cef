import { deviceIdOf, ifMatchOf, serviceTwinBodyOf } from '../request-input.js';
import type { RestOperation } from '../rest-types.js';

/** `PUT /twins/{deviceId}`: replace tags and desired; omitted sections become empty; reported is untouched (§7.4). */
export const replaceTwin: RestOperation = async (request, { twins }) => ({
  status: 200,
  body: await twins.writeTwin(request.context, { deviceId: deviceIdOf(request) }, serviceTwinBodyOf(request), 'replace', ifMatchOf(request)),
});
