import type { DevicePort } from '../services/device-port.js';
import type { FaultEngine } from './fault-engine.js';

/**
 * A transport's device port with the faults that act on what the hub sends to devices in front:
 * - method timeout: while it is on for a device, method requests to it are not sent, so `MethodService` answers the
 *   caller with 504 GatewayTimeout after the caller's own timeout, exactly as when a device does not answer;
 * - latency: desired-property notifications, the C2D kick that starts a delivery and method requests wait the
 *   latency (plus jitter) in force for the device, in order per identity (`FaultEngine.pushToDevice`).
 * A push only goes through the engine on the transport that holds the identity, so one push draws one jitter.
 * Everything else passes through.
 */
export function withDeviceFaults(port: DevicePort, faults: Pick<FaultEngine, 'swallowsMethod' | 'pushToDevice'>): DevicePort {
  return {
    isConnected: (address) => port.isConnected(address),
    notifyDesired: (address, body, version) => {
      if (!port.isConnected(address)) return;
      faults.pushToDevice(address, () => port.notifyDesired(address, body, version));
    },
    deliverC2d: (deviceId) => {
      if (!port.isConnected({ deviceId })) return;
      faults.pushToDevice({ deviceId }, () => port.deliverC2d(deviceId));
    },
    canReceiveMethods: (address) => port.canReceiveMethods(address),
    invokeMethod: (address, methodName, payload, rid) => {
      if (faults.swallowsMethod(address, methodName)) return;
      if (!port.canReceiveMethods(address)) return;
      faults.pushToDevice(address, () => port.invokeMethod(address, methodName, payload, rid));
    },
    disconnect: (address) => port.disconnect(address),
    supersede: (address, newer) => port.supersede(address, newer),
  };
}
