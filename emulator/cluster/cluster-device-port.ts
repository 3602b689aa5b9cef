import type { JsonObject } from '../model/json.js';
import { twinKey, type TwinAddress } from '../model/twin-address.js';
import { DevicePortRelay } from '../services/device-port.js';
import type { ClusterMessage } from './cluster-messages.js';

/** What the port needs from its node: who holds an identity elsewhere, and how to reach that node. */
export interface ClusterRoutes {
  /** The live node (not this one) that holds the identity's newest connection, if any. */
  remoteOwner(key: string): string | undefined;
  /** Sends to one node, stamped with this node's store position. */
  send(nodeId: string, message: ClusterMessage): void;
  /** Tells every node. */
  broadcast(message: ClusterMessage): void;
  /** This node admitted a connection of the identity: record the claim (the newest claim wins everywhere). */
  claim(address: TwinAddress): void;
  /** This node's store position (seq of the last applied batch), for messages that follow a write. */
  position(): number;
}

/**
 * The device port of a cluster node (docs/cluster.md): the transports of this node are bound to it like to the
 * plain relay; a call for an identity held by another node goes to that node over Redis pub/sub, which runs it on
 * its own transports. Method answers come back the same way (see `ClusterNode`).
 */
export class ClusterDevicePort extends DevicePortRelay {
  private routes: ClusterRoutes | undefined;

  /** Binds the node (created after the services that use this port). */
  attach(routes: ClusterRoutes): void {
    this.routes = routes;
  }

  /** The local transports' answers, for the node running a relayed call. */
  readonly local = {
    notifyDesired: (address: TwinAddress, body: JsonObject, version: number) => super.notifyDesired(address, body, version),
    deliverC2d: (deviceId: string) => super.deliverC2d(deviceId),
    canReceiveMethods: (address: TwinAddress) => super.canReceiveMethods(address),
    disconnect: (address: TwinAddress) => super.disconnect(address),
    /** Closes every local connection of the identity (a newer one came up on another node). */
    supersedeAll: (address: TwinAddress) => super.supersede(address, {}),
    isConnected: (address: TwinAddress) => super.isConnected(address),
  };

  override claim(address: TwinAddress, newer: object): void {
    super.claim(address, newer);
    this.routes?.claim(address);
  }

  override isConnected(address: TwinAddress): boolean {
    return super.isConnected(address) || this.owner(address) !== undefined;
  }

  override notifyDesired(address: TwinAddress, body: JsonObject, version: number): void {
    if (super.isConnected(address)) return super.notifyDesired(address, body, version);
    const owner = this.owner(address);
    if (owner && this.routes) this.routes.send(owner, { t: 'desired', ...fields(address), body, version, seq: this.routes.position() });
  }

  override deliverC2d(deviceId: string): void {
    if (super.isConnected({ deviceId })) return super.deliverC2d(deviceId);
    const owner = this.owner({ deviceId });
    if (owner && this.routes) this.routes.send(owner, { t: 'c2d', deviceId, seq: this.routes.position() });
  }

  override canReceiveMethods(address: TwinAddress): boolean {
    // A remote identity counts as ready when it is connected there; its node answers "not online" otherwise.
    return super.canReceiveMethods(address) || this.owner(address) !== undefined;
  }

  override invokeMethod(address: TwinAddress, methodName: string, payload: string, rid: string): void {
    if (super.canReceiveMethods(address)) return super.invokeMethod(address, methodName, payload, rid);
    const owner = this.owner(address);
    if (owner && this.routes) this.routes.send(owner, { t: 'invoke', ...fields(address), methodName, payload, rid, from: '', seq: this.routes.position() });
  }

  override disconnect(address: TwinAddress): void {
    super.disconnect(address);
    this.routes?.broadcast({ t: 'disconnect', ...fields(address) });
  }

  private owner(address: TwinAddress): string | undefined {
    return this.routes?.remoteOwner(twinKey(address));
  }
}

function fields(address: TwinAddress): { deviceId: string; moduleId?: string } {
  return address.moduleId === undefined ? { deviceId: address.deviceId } : { deviceId: address.deviceId, moduleId: address.moduleId };
}
