import type { NamespaceHandlers } from '../handler-types.js';

/** `c2d.*`: cloud-to-device messages, queued by the hub as if a service app had sent them (iothub-protocol.md §6.2). */
export const c2dHandlers: NamespaceHandlers<'c2d'> = {
  'c2d.send': async ({ deviceId, body, properties }, { host }) => {
    const message = await host.requireRunning().sendC2D(deviceId, { body, ...(properties ? { properties } : {}) });
    return { messageId: message.messageId };
  },
};
