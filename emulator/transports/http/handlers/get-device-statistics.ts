import type { RestOperation } from '../rest-types.js';

/** `GET /statistics/devices` → total, enabled and disabled identity counts (iothub-protocol.md §8.2). */
export const getDeviceStatistics: RestOperation = (_request, { registry }) => {
  let total = 0;
  let enabled = 0;
  for (const record of registry.all()) {
    total += 1;
    if (record.status === 'enabled') enabled += 1;
  }
  return { status: 200, body: { totalDeviceCount: total, enabledDeviceCount: enabled, disabledDeviceCount: total - enabled } };
};
