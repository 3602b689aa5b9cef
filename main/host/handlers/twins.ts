import type { JsonObject } from '../../../emulator/index.js';
import type { NamespaceHandlers } from '../handler-types.js';
import { toTwinDocument } from '../dto-mappers.js';

/** `twin.*`: service-side twin reads and writes, always with an etag (house-style H18). */
export const twinHandlers: NamespaceHandlers<'twin'> = {
  // `moduleId` addresses a module twin: the same TwinService write path, the module's own versions and etag.
  'twin.get': async ({ deviceId, moduleId }, { host }) => toTwinDocument(host.requireRunning().twins.getServiceTwin(deviceId, moduleId)),

  'twin.update': async ({ deviceId, moduleId, patch, etag }, { host }) => {
    // The same body a service SDK PATCHes (iothub-protocol.md §7.4); the hub checks the etag (412 on mismatch).
    const body: JsonObject = {};
    if (patch.tags !== undefined) body.tags = patch.tags;
    if (patch.desired !== undefined) body.properties = { desired: patch.desired };
    return toTwinDocument(await host.requireRunning().twins.updateTwin(deviceId, body, etag, moduleId));
  },

  'twin.replace': async ({ deviceId, moduleId, tags, desired, etag }, { host }) => {
    const body: JsonObject = { tags, properties: { desired } };
    return toTwinDocument(await host.requireRunning().twins.replaceTwin(deviceId, body, etag, moduleId));
  },

  'twin.history': async ({ deviceId, moduleId }, { host }) => {
    const twins = host.requireRunning().twins;
    const version = Number(twins.getServiceTwin(deviceId, moduleId).version);
    return { deviceId, ...(moduleId === undefined ? {} : { moduleId }), version, entries: [...twins.history(deviceId, moduleId)] };
  },

  'twin.atVersion': async ({ deviceId, moduleId, version }, { host }) => ({
    deviceId,
    twin: host.requireRunning().twins.atVersion(deviceId, version, moduleId) ?? null,
  }),
};
