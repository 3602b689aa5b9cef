import { deviceIdOf } from '../request-input.js';
import type { RestOperation } from '../rest-types.js';

/** `GET /digitaltwins/{id}` (iothub-protocol-2.md §9.2): the digital twin, `ETag` = the twin etag (weak). */
export const getDigitalTwin: RestOperation = (request, { digitalTwins }) => {
  const { twin, etag } = digitalTwins.get(deviceIdOf(request));
  return { status: 200, body: twin, headers: { etag: `W/"${etag}"` } };
};
