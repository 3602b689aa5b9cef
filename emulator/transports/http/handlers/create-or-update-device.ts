import { deviceJson } from '../device-json.js';
import { deviceIdOf, deviceInputOf, ifMatchOf } from '../request-input.js';
import type { RestOperation } from '../rest-types.js';

/**
 * `PUT /devices/{deviceId}`: without `If-Match` it creates (409 DeviceAlreadyExists if the id is taken); with
 * `If-Match` (Node/C# send `"*"`) it updates, 412 on a stale etag. Both answer **200** with the device JSON, keys
 * generated when missing (iothub-protocol.md §8.2-8.3, checklist 64-67).
 */
export const createOrUpdateDevice: RestOperation = async (request, { registry }) => {
  const deviceId = deviceIdOf(request);
  const input = deviceInputOf(request, deviceId);
  const ifMatch = ifMatchOf(request);
  const record = ifMatch === undefined ? await registry.create(input, request.context) : await registry.update(input, ifMatch, request.context);
  return { status: 200, body: deviceJson(record, registry) };
};
