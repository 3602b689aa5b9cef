import type { RestOperation } from '../rest-types.js';

/** `GET /statistics/service` → `{connectedDeviceCount}` (iothub-protocol.md §8.2). */
export const getServiceStatistics: RestOperation = (_request, { registry }) => {
  let connected = 0;
  for (const record of registry.all()) if (registry.runtime(record.deviceId).connectionState === 'Connected') connected += 1;
  return { status: 200, body: { connectedDeviceCount: connected } };
};
