import { randomUUID } from 'node:crypto';

import { digitalTwinCommandOf } from '../digital-twin-input.js';
import type { RestOperation } from '../rest-types.js';

/**
 * `POST /digitaltwins/{id}/commands/{name}` and `…/components/{component}/commands/{name}` (§9.4): a direct method
 * named `name` or `component*name`; 200 with the device's payload as the body, its status in
 * `x-ms-command-statuscode`, and `x-ms-request-id`. Offline → 404 DeviceNotOnline, no answer → 504, as for methods.
 */
export const invokeDigitalTwinCommand: RestOperation = async (request, { digitalTwins }) => {
  const result = await digitalTwins.invoke(digitalTwinCommandOf(request));
  return {
    status: 200,
    body: result.payload,
    headers: { 'x-ms-command-statuscode': String(result.status), 'x-ms-request-id': randomUUID() },
  };
};
