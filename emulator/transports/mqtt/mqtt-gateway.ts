import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';

import { Aedes, type AuthenticateError, type Client, type PublishPacket, type Subscription } from 'aedes';

import type { HubEventBus } from '../../events.js';
import type { Logger } from '../../logger.js';
import type { C2dService } from '../../services/c2d-service.js';
import type { DeviceAuthenticator, DevicePrincipal } from '../../services/device-authenticator.js';
import type { MethodService } from '../../services/method-service.js';
import type { ModuleService } from '../../services/module-service.js';
import type { RegistryService } from '../../services/registry-service.js';
import type { TwinService } from '../../services/twin-service.js';
import type { Clock } from '../../util/clock.js';
import type { TrafficTap } from '../tap.js';
import { C2dDelivery, c2dFilter } from './c2d-handler.js';
import { ConnectionRegistry, type DeviceConnection } from './device-connection.js';
import { createDurableSessionPersistence, type SessionStore } from './durable-sessions.js';
import { announceMethodReadiness, createMethodDelivery } from './method-handler.js';
import { handleTelemetry } from './telemetry-handler.js';
import { deliverDesiredPatch, handleReportedPatch, handleTwinGet, type TwinHandlerContext } from './twin-handler.js';
import { isAllowedSubscription, parseDeviceTopic } from './topics.js';

/** What the MQTT gateway needs from the rest of the emulator. */
export interface MqttGatewayDeps {
  readonly registry: RegistryService;
  readonly twins: TwinService;
  readonly authenticator: DeviceAuthenticator;
  readonly sessions: SessionStore;
  readonly tap: TrafficTap;
  readonly events: HubEventBus;
  readonly clock: Clock;
  readonly logger: Logger;
  /** How long a device stays "Connected" after its connection ends, to absorb SAS-renewal reconnects (§6.2). */
  readonly disconnectGraceMs: number;
  /** Direct methods (service side); without it the gateway never delivers method requests. */
  readonly methods?: MethodService;
  /** C2D queues; without it devices receive no C2D messages. */
  readonly c2d?: C2dService;
  /** Module identities: connection state of `<device>/<module>` clients. */
  readonly modules?: ModuleService;
}

/**
 * The device-facing MQTT side of the hub: an Aedes broker integrated only through its documented hooks
 * (house-style H7). Listeners (TLS, WebSocket, plain) hand their streams to `handle`.
 */
export class MqttGateway {
  private readonly principals = new WeakMap<Client, DevicePrincipal>();
  private readonly connections = new ConnectionRegistry();
  private readonly disposers: (() => void)[] = [];
  private readonly context: TwinHandlerContext;
  private readonly c2dDelivery: C2dDelivery | undefined;

  private constructor(
    private readonly deps: MqttGatewayDeps,
    readonly broker: Aedes,
  ) {
    this.context = { twins: deps.twins, tap: deps.tap, clock: deps.clock, logger: deps.logger };
    this.c2dDelivery = deps.c2d && new C2dDelivery(deps.c2d, this.context);
    deps.methods?.attach(createMethodDelivery(this.context, (deviceId, moduleId) => this.connections.forDevice(identityOf(deviceId, moduleId))));
  }

  /** Builds the broker with durable sessions and wires hooks and domain events. */
  static async create(deps: MqttGatewayDeps): Promise<MqttGateway> {
    const broker = await Aedes.createBroker({ persistence: createDurableSessionPersistence(deps.sessions) });
    const gateway = new MqttGateway(deps, broker);
    gateway.installHooks();
    gateway.listenToDomainEvents();
    return gateway;
  }

  /** Accepts one client stream (TLS socket, WebSocket stream, TCP socket). */
  handle(stream: Duplex, request?: IncomingMessage): void {
    this.broker.handle(stream, request);
  }

  /** Number of authenticated live connections. */
  get connectedCount(): number {
    return [...this.connections.all()].length;
  }

  /** Closes the live connection of a device, as a network drop would; false when it has none. */
  disconnect(deviceId: string): boolean {
    const connection = this.connections.forDevice(deviceId);
    connection?.client.close();
    return connection !== undefined;
  }

  /** Closes every client and the broker. */
  async close(): Promise<void> {
    for (const dispose of this.disposers) dispose();
    for (const connection of this.connections.all()) clearTimeout(connection.expiryTimer);
    await new Promise<void>((resolve) => this.broker.close(() => resolve()));
  }

  private installHooks(): void {
    const broker = this.broker;
    broker.authenticate = (client, username, password, done) => this.authenticate(client, username, password, done);
    broker.authorizeSubscribe = (client, sub, done) => done(null, this.authorizeSubscribe(client, sub));
    broker.authorizePublish = (client, packet, done) => done(this.authorizePublish(client, packet));
    // Not 'clientReady': aedes handles the client's first PUBLISH as soon as CONNACK is out, which can be before
    // clientReady (it waits for the stored-packet replay); mosquitto_pub publishes right after CONNACK.
    broker.on('connackSent', (packet, client) => {
      if (packet.returnCode === 0) this.onReady(client);
    });
    broker.on('clientDisconnect', (client) => this.onDisconnect(client));
    broker.on('subscribe', (subs, client) => this.onSubscribe(subs, client));
    broker.on('unsubscribe', (topics, client) => this.onUnsubscribe(topics, client));
    broker.on('ack', (packet, client) => {
      const connection = this.connections.of(client);
      if (connection) this.c2dDelivery?.onAck(connection, packet && 'topic' in packet ? (packet as PublishPacket) : undefined);
    });
    broker.on('clientError', (client, error) => this.deps.logger.debug(`client error: ${error.message}`, client.id));
    broker.on('connectionError', (client, error) => this.deps.logger.debug(`connection error: ${error.message}`, client.id));
  }

  private authenticate(
    client: Client,
    username: string | undefined,
    password: Buffer | undefined,
    done: (error: AuthenticateError | null, success: boolean | null) => void,
  ): void {
    const result = this.deps.authenticator.authenticate(client.id, username, password?.toString('utf8'));
    if (!result.ok) {
      this.deps.logger.info(`CONNECT refused (${result.returnCode}): ${result.reason}`, client.id);
      this.deps.tap.record({
        deviceId: client.id,
        direction: 'in',
        protocol: 'mqtt',
        kind: 'connect',
        topic: 'CONNECT',
        status: result.returnCode,
        payload: `refused: ${result.reason}`,
      });
      const error = Object.assign(new Error(result.reason), { returnCode: result.returnCode }) as AuthenticateError;
      done(error, false);
      return;
    }
    this.principals.set(client, result.principal);
    done(null, true);
  }

  /** Only the identity's own topic families; QoS 2 is granted as 1; anything else gets SUBACK 0x80 (§3.4). */
  private authorizeSubscribe(client: Client, sub: Subscription): Subscription | null {
    const principal = this.principals.get(client);
    if (!principal || !isAllowedSubscription(sub.topic, principal)) return null;
    return sub.qos > 1 ? { ...sub, qos: 1 } : sub;
  }

  /**
   * Request topics are handled here and then allowed (routing them is a no-op: nobody can subscribe to them).
   * A forbidden topic or QoS 2 returns an error, which makes Aedes close the connection, as IoT Hub does (§3.4).
   */
  private authorizePublish(client: Client | null, packet: PublishPacket): Error | null {
    if (client === null) return null;
    const connection = this.connections.of(client);
    if (!connection) return new Error('not authenticated');
    if (packet.qos === 2) return new Error('QoS 2 is not supported');
    // IoT Hub does not store retained messages (§3.4).
    packet.retain = false;
    const request = parseDeviceTopic(packet.topic, connection.owner);
    this.touch(connection.principal);
    if (request.kind === 'forbidden') {
      this.deps.logger.info(`closing connection: ${request.reason}`, client.id);
      return new Error(request.reason);
    }
    const payload = Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload);
    this.recordIncoming(connection, packet.topic, payload, request);
    switch (request.kind) {
      case 'twinGet':
        handleTwinGet(this.context, connection, request.rid);
        break;
      case 'twinPatchReported':
        void handleReportedPatch(this.context, connection, request.rid, payload);
        break;
      case 'telemetry':
        handleTelemetry(this.deps.events, connection, request.propertyBag, payload);
        break;
      case 'methodResponse':
        this.deps.events.emit('methodResponded', {
          deviceId: connection.principal.deviceId,
          ...(connection.principal.moduleId === undefined ? {} : { moduleId: connection.principal.moduleId }),
          rid: request.rid,
          status: request.status,
          payload,
        });
        break;
    }
    return null;
  }

  private recordIncoming(
    connection: DeviceConnection,
    topic: string,
    payload: Buffer,
    request: ReturnType<typeof parseDeviceTopic>,
  ): void {
    const kind = request.kind === 'telemetry' ? 'telemetry' : request.kind === 'methodResponse' ? 'method' : 'twin';
    this.deps.tap.record({
      deviceId: connection.principal.deviceId,
      direction: 'in',
      protocol: 'mqtt',
      kind,
      topic,
      payload,
      ...('rid' in request ? { rid: request.rid } : {}),
      ...(request.kind === 'methodResponse' ? { status: request.status } : {}),
    });
  }

  private onReady(client: Client): void {
    const principal = this.principals.get(client);
    if (!principal) return;
    const restored = client.clean ? [] : this.deps.sessions.get(client.id).map((sub) => sub.topic);
    const connection: DeviceConnection = {
      client,
      principal,
      owner: principal.moduleId === undefined ? { deviceId: principal.deviceId } : { deviceId: principal.deviceId, moduleId: principal.moduleId },
      subscriptions: new Set(restored.filter((topic) => isAllowedSubscription(topic, principal))),
    };
    this.connections.add(connection);
    this.scheduleExpiry(connection);
    announceMethodReadiness(this.deps.methods, connection);
    this.c2dDelivery?.onReady(connection);
    this.markConnection(principal, true);
    const modelId = principal.modelId ?? '';
    void this.deps.twins.setModelId(connection.owner, modelId).catch((error: unknown) => {
      this.deps.logger.warn(`could not record model id: ${String(error)}`, client.id);
    });
    this.deps.tap.record({ deviceId: principal.deviceId, direction: 'in', protocol: 'mqtt', kind: 'connect', topic: 'CONNECT', status: 0, payload: `clean=${client.clean}` });
  }

  /** A live connection is cut when its SAS token expires (iothub-protocol.md §2.3 step 4). */
  private scheduleExpiry(connection: DeviceConnection): void {
    const remainingMs = connection.principal.expiresAtSeconds * 1000 - this.deps.clock.now().getTime();
    // setTimeout overflows past ~24.8 days; such tokens are simply never cut while connected.
    if (remainingMs > 2_147_000_000) return;
    connection.expiryTimer = setTimeout(() => connection.client.close(), Math.max(0, remainingMs));
    connection.expiryTimer.unref();
  }

  private onDisconnect(client: Client): void {
    const connection = this.connections.remove(client);
    if (!connection) return;
    clearTimeout(connection.expiryTimer);
    this.c2dDelivery?.onDisconnect(connection);
    const principal = connection.principal;
    this.deps.tap.record({ deviceId: principal.deviceId, direction: 'in', protocol: 'mqtt', kind: 'disconnect', topic: 'DISCONNECT', payload: '' });
    if (this.deps.disconnectGraceMs <= 0) {
      this.markConnection(principal, false);
      return;
    }
    setTimeout(() => this.markConnection(principal, false), this.deps.disconnectGraceMs).unref();
  }

  /** Connection state of the device, or of the module for `<device>/<module>` clients. */
  private markConnection(principal: DevicePrincipal, connected: boolean): void {
    const { deviceId, moduleId } = principal;
    if (moduleId === undefined) {
      if (connected) this.deps.registry.markConnected(deviceId);
      else this.deps.registry.markDisconnected(deviceId);
    } else if (connected) this.deps.modules?.markConnected(deviceId, moduleId);
    else this.deps.modules?.markDisconnected(deviceId, moduleId);
  }

  private touch(principal: DevicePrincipal): void {
    if (principal.moduleId === undefined) this.deps.registry.touch(principal.deviceId);
    else this.deps.modules?.touch(principal.deviceId, principal.moduleId);
  }

  private onSubscribe(subs: Subscription[], client: Client): void {
    const connection = this.connections.of(client);
    if (!connection) return;
    for (const sub of subs) if (!isRefused(sub)) connection.subscriptions.add(sub.topic);
    announceMethodReadiness(this.deps.methods, connection);
    if (subs.some((sub) => sub.topic === c2dFilter(connection.owner.deviceId))) this.c2dDelivery?.pump(connection);
    this.deps.tap.record({
      deviceId: connection.principal.deviceId,
      direction: 'in',
      protocol: 'mqtt',
      kind: 'subscribe',
      topic: 'SUBSCRIBE',
      payload: subs.map((sub) => `${sub.topic} → ${isRefused(sub) ? "refused" : `QoS ${sub.qos}`}`).join('\n'),
    });
  }

  private onUnsubscribe(topics: string[], client: Client): void {
    const connection = this.connections.of(client);
    for (const topic of topics) connection?.subscriptions.delete(topic);
  }

  private listenToDomainEvents(): void {
    const { events } = this.deps;
    this.disposers.push(
      events.on('twinDesiredUpdated', ({ deviceId, moduleId, body, version }) => {
        const connection = this.connections.forDevice(identityOf(deviceId, moduleId));
        if (connection) deliverDesiredPatch(this.context, connection, body, version);
      }),
      events.on('c2dQueued', ({ deviceId }) => {
        const connection = this.connections.forDevice(deviceId);
        if (connection) this.c2dDelivery?.pump(connection);
      }),
      // A live connection is closed when its device is disabled or deleted (checklist 22).
      events.on('deviceDeleted', ({ deviceId }) => {
        for (const connection of [...this.connections.all()]) if (connection.owner.deviceId === deviceId) connection.client.close();
      }),
      events.on('moduleDeleted', ({ deviceId, moduleId }) => this.connections.forDevice(identityOf(deviceId, moduleId))?.client.close()),
      events.on('deviceUpdated', ({ deviceId }) => {
        if (this.deps.registry.find(deviceId)?.status === 'disabled') this.connections.forDevice(deviceId)?.client.close();
      }),
    );
  }
}

/** The MQTT client id of an identity: `<device>` or `<device>/<module>` (iothub-protocol.md §3.1). */
function identityOf(deviceId: string, moduleId: string | undefined): string {
  return moduleId === undefined ? deviceId : `${deviceId}/${moduleId}`;
}

/** SUBACK 0x80: aedes reports a refused filter with qos 128, outside the QoS type. */
function isRefused(sub: Subscription): boolean {
  return (sub.qos as number) === 128;
}
