import type { Client } from 'aedes';

import type { FaultEngine } from '../../faults/fault-engine.js';
import type { RequestGate } from '../../services/request-gate.js';
import type { Logger } from '../../logger.js';
import type { RegistrationService } from '../../provisioning/registration-service.js';
import type { RequestContext } from '../../model/request-context.js';
import type { TwinAddress } from '../../model/twin-address.js';
import type { C2dService } from '../../services/c2d-service.js';
import type { ConnectionTracker } from '../../services/connection-tracker.js';
import type { DeviceAuthenticator, DevicePrincipal } from '../../services/device-authenticator.js';
import type { MethodService } from '../../services/method-service.js';
import type { TelemetryService } from '../../services/telemetry-service.js';
import type { TwinService } from '../../services/twin-service.js';
import type { Clock } from '../../util/clock.js';
import type { TrafficTap } from '../tap.js';
import type { WireLimits } from '../wire-limits.js';
import type { C2dDelivery } from './c2d-handler.js';
import type { ConnectionRegistry, DeviceConnection } from './device-connection.js';
import type { DpsSession } from './dps-session.js';
import type { SessionStore } from './durable-sessions.js';
import type { RequestKind, RequestOf } from './topics.js';

/** The services the MQTT gateway calls (the narrow slices it uses, so tests can hand in small fakes). */
export interface MqttServices {
  /** Connection state and activity of devices and modules (one tracker for both). */
  readonly connections: Pick<ConnectionTracker, 'connected' | 'disconnected' | 'touch'>;
  readonly twins: Pick<TwinService, 'getDeviceTwin' | 'patchReported' | 'setModelId'>;
  readonly authenticator: Pick<DeviceAuthenticator, 'authenticate'>;
  /** Direct methods; without it the gateway never delivers method requests. */
  readonly methods?: Pick<MethodService, 'complete' | 'notifyReady'> & Partial<Pick<MethodService, 'connectionLost'>>;
  /** C2D queues; without it devices receive no C2D messages. */
  readonly c2d?: Pick<C2dService, 'next' | 'markDelivered' | 'complete'>;
  /** Device-to-cloud messages. */
  readonly telemetry: Pick<TelemetryService, 'receive'>;
  /** The provisioning service (DPS); without it a DPS username is just a bad hub username. */
  readonly provisioning?: RegistrationService;
}

/** What the MQTT gateway needs from the rest of the emulator. */
export interface MqttGatewayDeps extends MqttServices {
  readonly sessions: SessionStore;
  readonly tap: TrafficTap;
  readonly clock: Clock;
  readonly logger: Logger;
  /** How long a device stays "Connected" after its connection ends, to absorb SAS-renewal reconnects (§6.2). */
  readonly disconnectGraceMs: number;
  /** Packet sizes, the CONNECT timeout and the outgoing bounds (wire-limits.ts); defaults when absent. */
  readonly limits?: Partial<WireLimits>;
  /** How long a connection outlives its SAS token (config `tokenExpiryGraceMs`); 0 when absent. */
  readonly tokenExpiryGraceMs?: number;
  /** A connection became ready: the identity's connections on other transports close (device-port.ts `claim`). */
  readonly claim?: (address: TwinAddress, newer: object) => void;
  /** Injected faults (emulator/faults/): the SDKs' fault-request messages and QoS 0 loss; absent = none. */
  readonly faults?: Pick<FaultEngine, 'onDeviceMessage' | 'losesQos0'>;
  /** The request gate (`services/request-gate.ts`): throttles, quotas, faults; absent or empty = nothing checked. */
  readonly gate?: RequestGate;
}

/** The gateway's shared state, handed to every step. */
export interface GatewayCore {
  readonly deps: MqttGatewayDeps;
  /** Set by CONNECT's steps, read when the connection becomes ready and by SUBSCRIBE's. */
  readonly principals: WeakMap<Client, DevicePrincipal>;
  readonly connections: ConnectionRegistry;
  readonly c2d: C2dDelivery | undefined;
  /** The limits with defaults filled in. */
  readonly limits: WireLimits;
  /** Called once a client's CONNACK 0 is out (its listener stops the open timeout: connection-guard.ts). */
  readonly admissions: WeakMap<Client, () => void>;
  /** The TLS socket under each client (its own socket, or the one a WebSocket was upgraded on): X.509 at CONNECT. */
  readonly sockets: WeakMap<Client, unknown>;
  /** The Will topic of each client that sent one (aedes' `preConnect`), to recognise the Will when it is published. */
  readonly wills: WeakMap<Client, string>;
  /** DPS sessions (dps-session.ts): clients that are not device connections. */
  readonly dps: WeakMap<Client, DpsSession>;
}

/** One device request on its way to its handler, with the context built for it (mqtt-context.ts). */
export interface HandlerCall<K extends RequestKind> {
  readonly ctx: RequestContext;
  readonly connection: DeviceConnection;
  readonly request: RequestOf<K>;
  readonly payload: Buffer;
}

/**
 * Serves one kind of device request: calls the service and answers on the same connection. A handler that returns a
 * promise holds the PUBLISH's acknowledgement (PUBACK) until it settles (telemetry: until it is durable).
 */
export type RequestHandler<K extends RequestKind> = (core: GatewayCore, call: HandlerCall<K>) => void | Promise<void>;
