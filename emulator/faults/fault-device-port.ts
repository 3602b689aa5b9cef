import type { DevicePort } from '../services/device-port.js';
import type { FaultEngine } from './fault-engine.js';

/**
 * A transport's device port with the method-timeout fault in front: while it is on for a device, method requests to
 * it are not sent, so `MethodService` answers the caller with 504 GatewayTimeout after the caller's own timeout,
 * exactly as when a device does not answer. Everything else passes through.
 */
export function withMethodFaults(port: DevicePort, faults: Pick<FaultEngine, 'swallowsMethod'>): DevicePort {
  return {
    isConnected: (address) => port.isConnected(address),
    notifyDesired: (address, body, version) => port.notifyDesired(address, body, version),
    deliverC2d: (deviceId) => port.deliverC2d(deviceId),
    canReceiveMethods: (address) => port.canReceiveMethods(address),
    invokeMethod: (address, methodName, payload, rid) => {
      if (faults.swallowsMethod(address, methodName)) return;
      port.invokeMethod(address, methodName, payload, rid);
    },
    disconnect: (address) => port.disconnect(address),
    supersede: (address, newer) => port.supersede(address, newer),
  };
}
