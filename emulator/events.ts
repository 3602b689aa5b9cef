import { EventEmitter } from 'node:events';

import type { ConnectionState, DeviceRecord } from './model/device.js';
import type { ModuleRecord } from './model/hub-state.js';
import type { JsonObject } from './model/json.js';
import type { MessageProperties } from './model/message.js';

/** What happened on the wire, for the traffic view (house-style H24: the wire log is its own stream). */
export interface TrafficEvent {
  readonly id: number;
  readonly time: string;
  readonly deviceId: string | undefined;
  readonly moduleId?: string;
  readonly direction: 'in' | 'out';
  /** `hub` for an injected fault that concerns no one transport (a latency, the hub going down). */
  readonly protocol: 'mqtt' | 'http' | 'amqp' | 'hub';
  /** True when the exchange ran on a WebSocket connection (MQTT or AMQP over WebSockets on the HTTPS port). */
  readonly webSocket?: true;
  /** `fault`: an injected fault (emulator/faults/), not something a client sent. */
  readonly kind: 'connect' | 'disconnect' | 'subscribe' | 'twin' | 'method' | 'telemetry' | 'c2d' | 'rest' | 'fault' | 'other';
  readonly topic: string;
  /** `$rid` of a twin/method request or response, so a view can pair them. */
  readonly rid?: string;
  readonly status?: number;
  /**
   * Set when the far end of the exchange is a back end rather than a device: a service app (`service`), the
   * studio itself (`studio`) or a scheduled job running in the hub (`job`). C2D queued by a sender and feedback sent
   * to one carry it, and so do the methods the studio or a job invokes; REST calls are always a service's and do not.
   */
  readonly backEnd?: 'service' | 'studio' | 'job';
  /** When the request arrived, for an exchange recorded at its reply (REST calls); `time` is the reply's. */
  readonly startTime?: string;
  /** Payload preview, cut to a fixed size. */
  readonly payload: string;
  readonly payloadBytes: number;
}

/** A traffic event before the tap numbers and stamps it. */
export type TrafficInput = Omit<TrafficEvent, 'id' | 'time' | 'payload' | 'payloadBytes'> & {
  readonly payload?: Buffer | string;
};

/** Where services record wire-level facts they alone see (the transports' `TrafficTap`). */
export interface TrafficRecorder {
  record(input: TrafficInput): void;
}

/** Domain events, past tense (house-style H19). */
export interface HubEvents {
  /** `record` is the identity as created, for hub events that describe it (lifecycle routing). */
  deviceCreated: { deviceId: string; record?: DeviceRecord };
  deviceUpdated: { deviceId: string };
  /** `record` is the identity as it was just before the delete. */
  deviceDeleted: { deviceId: string; record?: DeviceRecord };
  moduleCreated: { deviceId: string; moduleId: string; record?: ModuleRecord };
  moduleDeleted: { deviceId: string; moduleId: string; record?: ModuleRecord };
  /** `remote`: the change happened on another node of a cluster (docs/cluster.md); absent for this hub's own connections. */
  connectionStateChanged: { deviceId: string; moduleId?: string; connectionState: ConnectionState; remote?: true };
  twinUpdated: { deviceId: string; moduleId?: string; sections: readonly ('tags' | 'desired' | 'reported')[]; version: number };
  /** A desired change became durable: body = applied change + `$version` (devices hear it through the DevicePort). */
  twinDesiredUpdated: { deviceId: string; moduleId?: string; body: JsonObject; version: number };
  /** A device sent telemetry (D2C). */
  telemetryReceived: { deviceId: string; moduleId?: string; properties: MessageProperties; body: Buffer };
  /** A C2D message was accepted into a device's queue (REST/AMQP/front door). */
  c2dQueued: { deviceId: string; messageId: string };
  /** A C2D message left the queue: the device PUBACKed it, it expired, was purged or was delivered too often. */
  c2dSettled: { deviceId: string; messageId: string; outcome: C2dOutcome };
  /** Provisioning (DPS) records changed: enrollments, groups or registration states (the change kinds). */
  provisioningChanged: { kinds: readonly string[] };
  traffic: TrafficEvent;
}

/** Why a C2D message left its queue; the names are the hub's feedback status codes (iothub-protocol.md §6.3). */
export type C2dOutcome = 'Success' | 'Expired' | 'DeliveryCountExceeded' | 'Rejected' | 'Purged';

/** Typed event bus of one emulator instance. */
export class HubEventBus {
  private readonly emitter = new EventEmitter();

  constructor() {
    // Every UI view, gateway and test may listen; there is no leak to warn about.
    this.emitter.setMaxListeners(0);
  }

  emit<K extends keyof HubEvents>(name: K, payload: HubEvents[K]): void {
    this.emitter.emit(name, payload);
  }

  /** Subscribes; returns the disposer. */
  on<K extends keyof HubEvents>(name: K, listener: (payload: HubEvents[K]) => void): () => void {
    this.emitter.on(name, listener);
    return () => this.emitter.off(name, listener);
  }
}
