import type { HandlerContext, NamespaceHandlers } from '../handler-types.js';
import { toDeviceDetails, toDeviceSummary } from '../dto-mappers.js';

function isSimulated({ host }: HandlerContext, deviceId: string): boolean {
  return host.simulations?.get(deviceId) !== undefined;
}

/** `devices.*`: the identity registry. */
export const deviceHandlers: NamespaceHandlers<'devices'> = {
  'devices.list': async (_req, context) => {
    const hub = context.host.requireRunning();
    // Every device: `list()` is the REST listing, capped at 1,000 like IoT Hub's GET /devices; the studio shows the fleet.
    return [...hub.registry.all()].map((record) => toDeviceSummary(hub, record, isSimulated(context, record.deviceId)));
  },

  'devices.get': async ({ deviceId }, context) => {
    const hub = context.host.requireRunning();
    return toDeviceDetails(hub, hub.registry.get(deviceId), isSimulated(context, deviceId));
  },

  'devices.create': async ({ deviceId, status }, context) => {
    const hub = context.host.requireRunning();
    const record = await hub.registry.create({ deviceId, ...(status ? { status } : {}) });
    return toDeviceDetails(hub, record, false);
  },

  'devices.createWithCertificate': async ({ deviceId, mode }, context) => {
    const hub = context.host.requireRunning();
    const made = await hub.x509.create({ deviceId, mode, mustBeNew: true });
    return {
      device: toDeviceDetails(hub, hub.registry.get(deviceId), false),
      mode: made.mode,
      connectionString: made.connectionString,
      certPem: made.certPem,
      keyPem: made.keyPem,
      certPath: made.certPath,
      keyPath: made.keyPath,
      thumbprint: made.thumbprint,
    };
  },

  'devices.setStatus': async ({ deviceId, status, statusReason }, context) => {
    const hub = context.host.requireRunning();
    const record = await hub.registry.update({ deviceId, status, ...(statusReason !== undefined ? { statusReason } : {}) });
    return toDeviceSummary(hub, record, isSimulated(context, deviceId));
  },

  'devices.delete': async ({ deviceId }, context) => {
    const hub = context.host.requireRunning();
    // A simulated device goes with its simulation, or the simulator would register it again.
    if (isSimulated(context, deviceId)) await context.host.simulations?.remove(deviceId, { deleteDevice: true });
    else await hub.registry.delete(deviceId);
    return { deviceId };
  },
};
