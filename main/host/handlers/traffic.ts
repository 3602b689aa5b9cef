import { toTrafficDto } from '../dto-mappers.js';
import type { NamespaceHandlers } from '../handler-types.js';

/** `traffic.*`: what the wire tap kept before the view opened (live events arrive as `traffic.batch` pushes). */
export const trafficHandlers: NamespaceHandlers<'traffic'> = {
  'traffic.snapshot': async (_req, { host }) => host.requireRunning().tap.snapshot().map(toTrafficDto),
};
