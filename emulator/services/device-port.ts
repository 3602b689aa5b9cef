import type { JsonObject } from '../model/json.js';
import type { TwinAddress } from '../model/twin-address.js';

/**
 * What services need to reach a connected device (house-style H5): the one way from services to devices. The MQTT
 * gateway implements it; services call it instead of emitting events as commands, so the event bus stays
 * observe-only (domain events for the UI and the traffic view). An address is a device (`{deviceId}`) or a module
 * (`{deviceId, moduleId}`). Every method is a no-op, or false, for an identity that is not connected.
 */
export interface DevicePort {
  /** True when the identity has a live, authenticated connection. */
  isConnected(address: TwinAddress): boolean;
  /** Tells the identity about a desired change (body = applied change + `$version`) if it subscribed to them. */
  notifyDesired(address: TwinAddress, body: JsonObject, version: number): void;
  /** Kicks delivery of the device's C2D queue (a message was queued); the transport pulls from `C2dService`. */
  deliverC2d(deviceId: string): void;
  /** True when the identity's live connection can take method requests (it subscribed to them). */
  canReceiveMethods(address: TwinAddress): boolean;
  /** Sends a method request; the device's answer comes back through `MethodService.complete` with the same `rid`. */
  invokeMethod(address: TwinAddress, methodName: string, payload: string, rid: string): void;
  /** Closes the identity's live connection; a device address also closes its modules' (delete, disable). */
  disconnect(address: TwinAddress): void;
}

/** The port before any transport is bound: nobody is connected. */
const NO_DEVICES: DevicePort = {
  isConnected: () => false,
  notifyDesired: () => undefined,
  deliverC2d: () => undefined,
  canReceiveMethods: () => false,
  invokeMethod: () => undefined,
  disconnect: () => undefined,
};

/**
 * The port services are built with. The transport that implements it is created after the services it calls, so
 * the composition root binds it once here, in one place, instead of each service having its own late `attach`.
 */
export class DevicePortRelay implements DevicePort {
  private target: DevicePort = NO_DEVICES;

  /** Routes every call to `port` until the returned function unbinds it (hub stop). */
  bind(port: DevicePort): () => void {
    this.target = port;
    return () => {
      if (this.target === port) this.target = NO_DEVICES;
    };
  }

  isConnected(address: TwinAddress): boolean {
    return this.target.isConnected(address);
  }

  notifyDesired(address: TwinAddress, body: JsonObject, version: number): void {
    this.target.notifyDesired(address, body, version);
  }

  deliverC2d(deviceId: string): void {
    this.target.deliverC2d(deviceId);
  }

  canReceiveMethods(address: TwinAddress): boolean {
    return this.target.canReceiveMethods(address);
  }

  invokeMethod(address: TwinAddress, methodName: string, payload: string, rid: string): void {
    this.target.invokeMethod(address, methodName, payload, rid);
  }

  disconnect(address: TwinAddress): void {
    this.target.disconnect(address);
  }
}
