import type { JsonObject } from '../../model/json.js';
import { twinKey, type TwinAddress } from '../../model/twin-address.js';
import type { DevicePort } from '../../services/device-port.js';
import type { DeviceConnection } from './device-connection.js';
import type { GatewayCore } from './gateway-core.js';
import { canReceiveMethods, sendMethodRequest } from './method-handler.js';
import { deliverDesiredPatch } from './twin-handler.js';

/**
 * The MQTT gateway's side of the device port: how services reach connected devices. A connection is found by its
 * MQTT client id, which is the identity's twin key (`<device>` or `<device>/<module>`, iothub-protocol.md §3.1).
 */
export class MqttDevicePort implements DevicePort {
  constructor(private readonly core: GatewayCore) {}

  isConnected(address: TwinAddress): boolean {
    return this.connectionOf(address) !== undefined;
  }

  notifyDesired(address: TwinAddress, body: JsonObject, version: number): void {
    const connection = this.connectionOf(address);
    if (connection) deliverDesiredPatch(this.core.deps, connection, body, version);
  }

  deliverC2d(deviceId: string): void {
    const connection = this.connectionOf({ deviceId });
    if (connection) this.core.c2d?.pump(connection);
  }

  canReceiveMethods(address: TwinAddress): boolean {
    return canReceiveMethods(this.connectionOf(address));
  }

  invokeMethod(address: TwinAddress, methodName: string, payload: string, rid: string): void {
    const connection = this.connectionOf(address);
    if (connection) sendMethodRequest(this.core.deps, connection, methodName, payload, rid);
  }

  /** A device address closes the device's connection and its modules' (a deleted or disabled device takes them along). */
  disconnect(address: TwinAddress): void {
    for (const connection of [...this.core.connections.all()]) {
      const { deviceId, moduleId } = connection.owner;
      if (deviceId !== address.deviceId) continue;
      if (address.moduleId === undefined || address.moduleId === moduleId) connection.client.close();
    }
  }

  /** A newer connection of the identity (on another transport, or this one) took over. */
  supersede(address: TwinAddress, newer: object): void {
    const connection = this.core.connections.forDevice(twinKey(address));
    if (connection && connection !== newer) connection.client.close();
  }

  /** The live connection; one whose socket is already gone (aedes has not reported it yet) counts as none. */
  private connectionOf(address: TwinAddress): DeviceConnection | undefined {
    const connection = this.core.connections.forDevice(twinKey(address));
    if (!connection || connection.client.closed || connection.client.conn.destroyed) return undefined;
    return connection;
  }
}
