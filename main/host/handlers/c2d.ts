import { c2dOf } from '../capabilities.js';
import type { NamespaceHandlers } from '../handler-types.js';
import { StudioError } from '../studio-error.js';

/** `c2d.*`: cloud-to-device messages, queued by the hub's C2D service (iothub-protocol.md §6.2). */
export const c2dHandlers: NamespaceHandlers<'c2d'> = {
  'c2d.send': async ({ deviceId, body, properties }, { host }) => {
    const c2d = c2dOf(host.requireRunning());
    if (!c2d) throw new StudioError('NotSupported', 'Cloud-to-device messages are not available in this version of the hub.');
    const message = await c2d.send(deviceId, { body, ...(properties ? { properties } : {}) });
    return { messageId: message.messageId };
  },
};
