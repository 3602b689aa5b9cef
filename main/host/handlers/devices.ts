import type { NamespaceHandlers } from '../handler-types.js';
import { toDeviceDetails, toDeviceSummary } from '../dto-mappers.js';
import { simulationOf } from '../capabilities.js';
import { StudioError } from '../studio-error.js';

/** `devices.*`: the identity registry. */
export const deviceHandlers: NamespaceHandlers<'devices'> = {
  'devices.list': async (_req, { host }) => {
    const hub = host.requireRunning();
    return hub.registry.list().map((record) => toDeviceSummary(hub, record));
  },

  'devices.get': async ({ deviceId }, { host }) => {
    const hub = host.requireRunning();
    return toDeviceDetails(hub, hub.registry.get(deviceId));
  },

  'devices.create': async ({ deviceId, status, simulated }, { host }) => {
    const hub = host.requireRunning();
    if (simulated && !simulationOf(hub)) {
      throw new StudioError('NotSupported', 'Simulated devices are not available in this version of the hub.');
    }
    const record = await hub.registry.create({ deviceId, ...(status ? { status } : {}) });
    return toDeviceDetails(hub, record);
  },

  'devices.setStatus': async ({ deviceId, status, statusReason }, { host }) => {
    const hub = host.requireRunning();
    const record = await hub.registry.update({ deviceId, status, ...(statusReason !== undefined ? { statusReason } : {}) });
    return toDeviceSummary(hub, record);
  },

  'devices.delete': async ({ deviceId }, { host }) => {
    await host.requireRunning().registry.delete(deviceId);
    return { deviceId };
  },
};
