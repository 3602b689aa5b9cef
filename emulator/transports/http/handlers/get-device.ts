import { deviceJson } from '../device-json.js';
import { deviceIdOf } from '../request-input.js';
import type { RestOperation } from '../rest-types.js';

/** `GET /devices/{deviceId}` → 200 device JSON, 404 DeviceNotFound (iothub-protocol.md §8.2). */
export const getDevice: RestOperation = (request, { registry }) => {
  const record = registry.get(deviceIdOf(request));
  return { status: 200, body: deviceJson(record, registry) };
};
