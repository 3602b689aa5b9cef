import { deviceJson } from '../device-json.js';
import type { RestOperation } from '../rest-types.js';

/** `GET /devices[/]?top=n` → up to `top` identities; values outside 1..1000 mean 1000 (iothub-protocol.md §8.2). */
export const listDevices: RestOperation = (request, { registry }) => {
  const topText = request.query.get('top');
  const top = topText === null ? undefined : Number(topText);
  return { status: 200, body: registry.list(Number.isFinite(top) ? top : undefined).map((record) => deviceJson(record, registry)) };
};
