import { digitalTwinPatchOf } from '../digital-twin-input.js';
import { deviceIdOf, ifMatchOf } from '../request-input.js';
import type { RestOperation } from '../rest-types.js';

/** `PATCH /digitaltwins/{id}` (§9.3): JSON Patch → one desired update; 202, no body, `ETag` of the new twin. */
export const updateDigitalTwin: RestOperation = async (request, { digitalTwins }) => {
  const deviceId = deviceIdOf(request);
  const etag = await digitalTwins.patch(request.context, deviceId, digitalTwinPatchOf(request), ifMatchOf(request));
  return { status: 202, headers: { etag: `W/"${etag}"`, location: `/digitaltwins/${encodeURIComponent(deviceId)}` } };
};
