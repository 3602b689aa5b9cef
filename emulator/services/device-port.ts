import type { JsonObject } from '../model/json.js';
import type { TwinAddress } from '../model/twin-address.js';
import type { StepGate } from './step-gate.js';

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
  /**
   * A newer connection of exactly this identity came up (`newer`, on this transport or another): close every other
   * one. Two live connections of one identity behave as on IoT Hub: the newer one wins.
   */
  supersede(address: TwinAddress, newer: object): void;
}

/** The port before any transport is bound: nobody is connected. */
const NO_DEVICES: DevicePort = {
  isConnected: () => false,
  notifyDesired: () => undefined,
  deliverC2d: () => undefined,
  canReceiveMethods: () => false,
  invokeMethod: () => undefined,
  disconnect: () => undefined,
  supersede: () => undefined,
};

/**
 * The port services are built with. The transports that implement it are created after the services they call, so
 * the composition root binds them here, in one place, instead of each service having its own late `attach`. Every
 * device transport (MQTT, AMQP) binds its half: a call reaches the identity on whichever transport it is connected
 * with (the newest connection when it has several), and `claim` makes a new connection the only one.
 */
export class DevicePortRelay implements DevicePort {
  private targets: readonly DevicePort[] = [];

  /** `gate`: step-through mode holds desired notifications, method requests and C2D kicks here (issue 18). */
  constructor(private readonly gate?: StepGate) {}

  /** Adds `port` until the returned function unbinds it (hub stop). */
  bind(port: DevicePort): () => void {
    this.targets = [...this.targets, port];
    return () => {
      this.targets = this.targets.filter((target) => target !== port);
    };
  }

  /** A transport admitted `newer` for the identity: every other connection of it, on every transport, closes. */
  claim(address: TwinAddress, newer: object): void {
    this.supersede(address, newer);
  }

  isConnected(address: TwinAddress): boolean {
    return this.targets.some((target) => target.isConnected(address));
  }

  notifyDesired(address: TwinAddress, body: JsonObject, version: number): void {
    const send = () => {
      for (const target of this.targets) target.notifyDesired(address, body, version);
    };
    if (this.gate?.covers(address)) this.gate.hold(address, 'desired', body, send, version);
    else send();
  }

  deliverC2d(deviceId: string): void {
    const kick = () => {
      for (const target of this.targets) target.deliverC2d(deviceId);
    };
    if (this.gate?.covers({ deviceId })) this.gate.hold({ deviceId }, 'c2d', null, kick);
    else kick();
  }

  canReceiveMethods(address: TwinAddress): boolean {
    return this.targets.some((target) => target.canReceiveMethods(address));
  }

  invokeMethod(address: TwinAddress, methodName: string, payload: string, rid: string): void {
    const send = () => (this.targets.find((target) => target.canReceiveMethods(address)) ?? NO_DEVICES).invokeMethod(address, methodName, payload, rid);
    if (this.gate?.covers(address)) this.gate.hold(address, 'method', { methodName, payload }, send);
    else send();
  }

  disconnect(address: TwinAddress): void {
    for (const target of this.targets) target.disconnect(address);
  }

  supersede(address: TwinAddress, newer: object): void {
    for (const target of this.targets) target.supersede(address, newer);
  }
}
