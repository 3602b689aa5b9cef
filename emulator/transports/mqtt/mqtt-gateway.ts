import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';

import { Aedes, type Client, type PublishPacket } from 'aedes';

import type { DevicePrincipal } from '../../services/device-authenticator.js';
import type { FaultTarget } from '../../faults/fault-target.js';
import type { DevicePort } from '../../services/device-port.js';
import { C2dDelivery } from './c2d-handler.js';
import { authenticate } from './connect-steps.js';
import { onConnectionEnded, onConnectionReady } from './connection-steps.js';
import { ConnectionRegistry } from './device-connection.js';
import { presentedChain } from '../peer-certificate.js';
import { authorizeDpsSubscribe, DPS_CLIENT_PREFIX, handleDpsPublish, limitDpsSession, openDpsSession, parseDpsUsername, type DpsSessionDeps } from './dps-session.js';
import { guard, internalRefusal } from './hook-guard.js';
import { createDurableSessionPersistence } from './durable-sessions.js';
import type { GatewayCore, MqttGatewayDeps } from './gateway-core.js';
import { MqttDevicePort } from './mqtt-device-port.js';
import { MqttFaultTarget } from './mqtt-fault-target.js';
import { authorizePublish } from './publish-steps.js';
import { authorizeSubscribe, SUBSCRIBED_STEPS } from './subscribe-steps.js';
import { runSteps } from './steps.js';
import { resolveWireLimits } from '../wire-limits.js';
import { FrameGuard } from './frame-guard.js';

export type { MqttGatewayDeps } from './gateway-core.js';

/**
 * The device-facing MQTT side of the hub: an Aedes broker integrated only through its documented hooks
 * (house-style H7), each a list of named steps (H6): `authenticate` (connect-steps.ts), `authorizeSubscribe`
 * (subscribe-steps.ts), `authorizePublish` (publish-steps.ts), and the broker events of connection-steps.ts.
 * Services reach devices through {@link devicePort}; the gateway listens to no domain event.
 * Listeners (TLS, WebSocket, plain) hand their streams to `handle`.
 */
export class MqttGateway {
  private readonly core: GatewayCore;
  /** How services reach connected devices (bind it to the services' `DevicePortRelay`). */
  readonly devicePort: DevicePort;
  /** How injected faults reach MQTT connections (bind it to the fault engine). */
  readonly faultTarget: FaultTarget;

  private constructor(
    deps: MqttGatewayDeps,
    readonly broker: Aedes,
  ) {
    const c2d = deps.c2d && new C2dDelivery(deps.c2d, deps);
    this.core = {
      deps,
      principals: new WeakMap<Client, DevicePrincipal>(),
      connections: new ConnectionRegistry(),
      c2d,
      limits: resolveWireLimits(deps.limits),
      admissions: new WeakMap<Client, () => void>(),
      wills: new WeakMap<Client, string>(),
      sockets: new WeakMap<Client, unknown>(),
      dps: new WeakMap(),
    };
    this.devicePort = new MqttDevicePort(this.core);
    this.faultTarget = new MqttFaultTarget(this.core);
  }

  /** Builds the broker with durable sessions and installs the hooks. */
  static async create(deps: MqttGatewayDeps): Promise<MqttGateway> {
    const { openTimeoutMs } = resolveWireLimits(deps.limits);
    // connectTimeout: a client must CONNECT within the open timeout (issue 11), not aedes' default 30 s.
    const broker = await Aedes.createBroker({ persistence: createDurableSessionPersistence(deps.sessions), connectTimeout: openTimeoutMs });
    const gateway = new MqttGateway(deps, broker);
    gateway.installHooks();
    return gateway;
  }

  /**
   * Accepts one client stream (TLS socket, WebSocket stream, TCP socket, or one end of an in-memory pair) behind a
   * {@link FrameGuard}; `onAdmitted` runs once its CONNACK 0 is out.
   */
  handle(stream: Duplex, request?: IncomingMessage, onAdmitted?: () => void): void {
    const { logger } = this.core.deps;
    const guarded = new FrameGuard(stream, this.core.limits, (reason) => logger.warn(`closing MQTT connection: ${reason}`));
    const client = this.broker.handle(guarded, request);
    if (onAdmitted) this.core.admissions.set(client, onAdmitted);
    // The socket whose handshake may carry an X.509 client certificate (connect-steps.ts reads it at CONNECT).
    this.core.sockets.set(client, request?.socket ?? stream);
  }

  /** Number of authenticated live connections. */
  get connectedCount(): number {
    return [...this.core.connections.all()].length;
  }

  /** Closes the live connection of a device (not its modules'), as a network drop would; false when it has none. */
  disconnect(deviceId: string): boolean {
    const connection = this.core.connections.forDevice(deviceId);
    connection?.client.close();
    return connection !== undefined;
  }

  /** Closes every client and the broker. */
  async close(): Promise<void> {
    for (const connection of this.core.connections.all()) clearTimeout(connection.expiryTimer);
    await new Promise<void>((resolve) => this.broker.close(() => resolve()));
  }

  private installHooks(): void {
    const { broker, core } = this;
    const log = core.deps.logger;
    const provisioning = core.deps.provisioning;
    const dpsDeps: DpsSessionDeps | undefined = provisioning && { registrations: provisioning, tap: core.deps.tap, clock: core.deps.clock, logger: log };
    broker.preConnect = (client, packet, done) => {
      guard(log, 'preConnect', client.id, () => {
        if (packet.will) core.wills.set(client, packet.will.topic);
        // A DPS session gets its own client id space (and no durable session): aedes would otherwise close the
        // device's hub connection when the device registers again under the same id (ClientId = registration id).
        if (dpsDeps && parseDpsUsername(packet.username)) {
          packet.clientId = `${DPS_CLIENT_PREFIX}${packet.clientId}`;
          packet.clean = true;
        }
      }, () => undefined);
      done(null, true);
    };
    // Every hook and listener is guarded (hook-guard.ts): a throw is a logged bug and a refusal, never a crash.
    broker.authenticate = (client, username, password, done) => {
      let answered = false;
      const once: typeof done = (error, success) => {
        if (answered) return;
        answered = true;
        done(error, success);
      };
      guard(log, 'authenticate', client.id, () => {
        const session = dpsDeps && client.id.startsWith(DPS_CLIENT_PREFIX) ? openDpsSession(dpsDeps, client, username ?? '', password?.toString('utf8'), presentedChain(core.sockets.get(client))) : undefined;
        if (!session) return authenticate(core, client, username, password, once);
        core.dps.set(client, session);
        once(null, true);
      }, () => once(internalRefusal(), false));
    };
    broker.authorizeSubscribe = (client, sub, done) =>
      done(null, guard(log, 'authorizeSubscribe', client.id, () => (core.dps.has(client) ? authorizeDpsSubscribe(sub) : authorizeSubscribe(core, client, sub)), () => null));
    broker.authorizePublish = (client, packet, done) => {
      const answer = guard(log, 'authorizePublish', client?.id, (): Error | null | Promise<Error | null> => {
        const session = client && core.dps.get(client);
        if (session && dpsDeps && client) return handleDpsPublish(dpsDeps, client, session, packet);
        return authorizePublish(core, client, packet);
      }, () => new Error('internal error (logged)'));
      // Telemetry answers with a promise: aedes' answer, and with it the PUBACK, waits until the message is durable.
      if (answer instanceof Promise) void answer.then(done, (error: unknown) => done(error instanceof Error ? error : new Error(String(error))));
      else done(answer);
    };
    const listen = <A extends unknown[]>(hook: string, work: (...args: A) => void) => (...args: A) => guard(log, hook, undefined, () => work(...args), () => undefined);
    broker.on('connackSent', listen('connackSent', (packet, client) => {
      const session = core.dps.get(client);
      if (session && packet.returnCode === 0) {
        core.admissions.get(client)?.();
        limitDpsSession(session, client);
      } else if (packet.returnCode === 0) onConnectionReady(core, client);
    }));
    broker.on('clientDisconnect', listen('clientDisconnect', (client) => {
      clearTimeout(core.dps.get(client)?.lifetime);
      onConnectionEnded(core, client);
    }));
    broker.on('subscribe', listen('subscribe', (subs, client) => {
      const connection = core.connections.of(client);
      if (connection) runSteps(SUBSCRIBED_STEPS, { core, connection, subs });
    }));
    broker.on('unsubscribe', listen('unsubscribe', (topics, client) => {
      const connection = core.connections.of(client);
      for (const topic of topics) connection?.subscriptions.delete(topic);
    }));
    broker.on('ack', listen('ack', (packet, client) => {
      const connection = core.connections.of(client);
      if (connection) core.c2d?.onAck(connection, packet && 'topic' in packet ? (packet as PublishPacket) : undefined);
    }));
    broker.on('clientError', (client, error) => core.deps.logger.debug(`client error: ${error.message}`, client.id));
    broker.on('connectionError', (client, error) => core.deps.logger.debug(`connection error: ${error.message}`, client.id));
  }
}
