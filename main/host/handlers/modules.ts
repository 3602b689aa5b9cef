import type { NamespaceHandlers } from '../handler-types.js';
import { toModuleDetails, toModuleSummary } from '../module-mappers.js';

/** `modules.*`: module identities of a device (the same service as `/devices/{id}/modules`). */
export const moduleHandlers: NamespaceHandlers<'modules'> = {
  'modules.list': async ({ deviceId }, { host }) => {
    const hub = host.requireRunning();
    return hub.modules
      .list(deviceId)
      .sort((a, b) => (a.moduleId < b.moduleId ? -1 : a.moduleId > b.moduleId ? 1 : 0))
      .map((record) => toModuleSummary(hub, record));
  },

  'modules.get': async ({ deviceId, moduleId }, { host }) => {
    const hub = host.requireRunning();
    return toModuleDetails(hub, hub.modules.get(deviceId, moduleId));
  },

  'modules.create': async ({ deviceId, moduleId, managedBy }, { host }) => {
    const hub = host.requireRunning();
    const record = await hub.modules.create({ deviceId, moduleId, ...(managedBy !== undefined ? { managedBy } : {}) });
    return toModuleDetails(hub, record);
  },

  'modules.delete': async ({ deviceId, moduleId }, { host }) => {
    await host.requireRunning().modules.delete(deviceId, moduleId);
    return { deviceId, moduleId };
  },
};
