import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';

import rhea, { type Connection, type Container, type Delivery, type EventContext, type Message, type Receiver, type Sender } from 'rhea';

import { unauthorized } from '../../errors/catalogue.js';
import { isIotHubError } from '../../errors/iothub-error.js';
import { toAmqpError, type AmqpErrorCondition } from '../../errors/to-amqp.js';
import type { HubEventBus } from '../../events.js';
import type { Logger } from '../../logger.js';
import type { TwinAddress } from '../../model/twin-address.js';
import type { C2dService } from '../../services/c2d-service.js';
import type { ServiceAuthenticator } from '../../services/service-authenticator.js';
import type { Clock } from '../../util/clock.js';
import type { TrafficTap } from '../tap.js';
import { c2dInputOf, deviceIdOfC2dAddress } from './c2d-message.js';
import { verifyPutToken, type CbsOutcome } from './cbs.js';
import { presentedChain } from '../peer-certificate.js';
import { amqpWebSocketFlag, isEventHubsOnly, WEB_SOCKET_OPTION } from './connection-transport.js';
import { AmqpDeviceEndpoint, type AmqpDeviceDeps } from './device/device-endpoint.js';
import { parseDeviceLinkAddress } from './device/link-address.js';
import { isManagementAddress, parsePartitionAddress } from './eventhub/eventhub-address.js';
import { EventHubEndpoint } from './eventhub/eventhub-endpoint.js';
import { hubEventsPathOf, redirectTo, type RedirectTarget } from './eventhub/iothub-redirect.js';
import { enablePlainSasl, plainIdentityOf } from './sasl-plain.js';
import { verifyPlainCredentials, type PlainIdentity } from './plain-identity.js';
import { adaptWebSocketStream } from './websocket-adapter.js';
import { AMQP_MAX_FRAME_BYTES, guardDeliverySize } from './frame-guard.js';
import type { EventHubService } from '../../services/event-hub-service.js';
import type { ConsumerGroupService } from '../../services/consumer-group-service.js';
import { requestContext } from '../../services/request-contexts.js';
import type { DeviceAuthenticator } from '../../services/device-authenticator.js';
import type { RegistrationService } from '../../provisioning/registration-service.js';
import { AmqpDpsEndpoint } from './dps/dps-endpoint.js';
import { parseDpsLinkAddress } from './dps/dps-link-address.js';

/** Link addresses of the IoT Hub service AMQP surface (iothub-protocol.md §6.3). */
export const CBS_ADDRESS = '$cbs';
export const DEVICEBOUND_ADDRESS = '/messages/devicebound';
export const FEEDBACK_ADDRESS = '/messages/serviceBound/feedback';

/** What the AMQP side needs from the emulator: the service surface's, and the device side's (device/). */
export interface AmqpServerDeps extends Omit<AmqpDeviceDeps, 'c2d'> {
  readonly c2d: C2dService;
  readonly authenticator: ServiceAuthenticator;
  readonly deviceAuthenticator: Pick<DeviceAuthenticator, 'authenticateToken' | 'authenticateCertificate'>;
  /** The built-in Event Hub-compatible endpoint read by Event Hubs consumers (eventhub/); off when absent. */
  readonly eventHub?: EventHubService;
  /** Extra Event Hubs entities served for routing endpoints, by entity path. */
  readonly eventHubEntity?: (entity: string) => EventHubService | undefined;
  /** Which consumer groups exist on it. */
  readonly consumerGroups?: Pick<ConsumerGroupService, 'exists'>;
  readonly events: HubEventBus;
  readonly tap: TrafficTap;
  readonly clock: Clock;
  readonly logger: Logger;
  /**
   * Where the built-in endpoint is reached (the hub's host, AMQP port and entity), for the `amqp:link:redirect` that
   * readers using an IoT Hub connection string get (eventhub/iothub-redirect.ts); no redirect when absent.
   */
  readonly eventHubRedirect?: () => RedirectTarget | undefined;
  /** The provisioning service (DPS over AMQP, dps/); off when absent. */
  readonly provisioning?: Pick<RegistrationService, 'authenticate' | 'register' | 'operationStatus'>;
  /** Called with a connection's TLS socket once it is open (connection-guard.ts stops its open timeout). */
  readonly admit?: (socket: { remoteAddress?: string; remotePort?: number; localPort?: number }) => void;
  /** Largest message (all frames of one delivery) a connection may send before it is closed (frame-guard.ts). */
  readonly maxDeliveryBytes?: number;
  /** Bytes held for one AMQP-over-WebSockets connection that does not read, and for how long (outgoing-bound.ts). */
  readonly outgoing?: { readonly maxBytes: number; readonly graceMs: number };
}

/** `maxDeliveryBytes` when not configured: the wire limits' default packet bound. */
const DEFAULT_MAX_DELIVERY_BYTES = 512 * 1024;

/** Links the plain development port does not serve (connection-transport.ts `isEventHubsOnly`). */
const EVENT_HUBS_ONLY_REFUSAL = {
  condition: 'amqp:not-allowed',
  description: 'This plain AMQP port serves only the Event Hub-compatible endpoint (UseDevelopmentEmulator); use amqps for anything else.',
};

/** The connection option carrying a WebSocket connection's admission (rhea hides the socket behind a wrapper). */
const ADMIT_OPTION = 'twinStudioAdmit';

interface ConnectionState {
  /** Expiry (seconds) of the last accepted CBS token; the connection may send C2D until then. */
  authorizedUntil: number;
  /** The shared access policy of the last accepted CBS token. */
  policy?: string;
  cbsReplies?: Sender;
}

/**
 * The hub's AMQP 1.0 endpoint, with rhea as the server (sdk-notes.md §4), reached over `amqps://host:5671` and over
 * WebSockets. Claims-based security on `$cbs`: a service token (needing ServiceConnect) opens the service surface —
 * C2D sends on `/messages/devicebound` (each delivery accepted once queued, or rejected with the hub's condition)
 * and feedback batches on `/messages/serviceBound/feedback`; a device or module token opens that identity's device
 * links, served by `device/device-endpoint.ts` (iothub-protocol-2.md §3).
 */
export class AmqpServer {
  readonly container: Container;
  /** The device side, which is also the AMQP half of the device port. */
  readonly devices: AmqpDeviceEndpoint;
  /** Event Hubs consumers of the built-in endpoint. */
  private readonly events: EventHubEndpoint | undefined;
  /** Provisioning devices (DPS over AMQP). */
  private readonly dps: AmqpDpsEndpoint | undefined;
  private readonly states = new WeakMap<Connection, ConnectionState>();
  private readonly feedbackSenders = new Set<Sender>();
  private readonly connections = new Set<Connection>();
  private readonly dispose: () => void;

  constructor(private readonly deps: AmqpServerDeps) {
    // Our receivers settle C2D deliveries themselves, after the message is durable in the queue.
    this.container = rhea.create_container({ id: 'twin-studio-hub', autoaccept: false });
    this.devices = new AmqpDeviceEndpoint({ ...deps, c2d: deps.c2d, certificates: deps.deviceAuthenticator, peerChainOf });
    this.events = deps.eventHub ? new EventHubEndpoint(deps.eventHub, deps.authenticator, deps.tap, requestHostOf, deps.consumerGroups, deps.eventHubEntity) : undefined;
    enablePlainSasl<PlainIdentity>(this.container, (credentials) =>
      verifyPlainCredentials(credentials, { service: deps.authenticator, device: deps.deviceAuthenticator, ...(deps.provisioning ? { provisioning: deps.provisioning } : {}) }),
    );
    this.dps = deps.provisioning ? new AmqpDpsEndpoint({ registrations: deps.provisioning, peerChainOf, tap: deps.tap, clock: deps.clock, logger: deps.logger }) : undefined;
    this.container.on('connection_open', (context: EventContext) => {
      this.connections.add(context.connection);
      const connection = context.connection;
      guardDeliverySize(connection, deps.maxDeliveryBytes ?? DEFAULT_MAX_DELIVERY_BYTES, (reason) => {
        deps.logger.warn(`AMQP connection ${connection.container_id ?? '?'} closed: ${reason}`);
        // A client that keeps sending after the close is cut off.
        setTimeout(() => (connection as unknown as { socket?: { destroy?: () => void } }).socket?.destroy?.(), 1_000).unref();
      });
      admitOpened(context.connection, deps.admit);
      this.grantPlainIdentity(context.connection);
    });
    const ended = (context: EventContext) => {
      this.connections.delete(context.connection);
      this.devices.closeConnection(context.connection);
    };
    this.container.on('disconnected', ended);
    this.container.on('connection_close', ended);
    this.container.on('receiver_open', (context: EventContext) => this.onReceiverOpen(context));
    this.container.on('sender_open', (context: EventContext) => this.onSenderOpen(context));
    this.container.on('sender_close', (context: EventContext) => {
      const sender = context.sender;
      if (!sender) return;
      this.feedbackSenders.delete(sender);
      this.devices.closeLink(sender);
      this.events?.closeReader(sender);
    });
    this.container.on('receiver_close', (context: EventContext) => context.receiver && this.devices.closeLink(context.receiver));
    this.container.on('sendable', (context: EventContext) => {
      this.flushFeedback();
      this.devices.onSendable(context);
      if (context.sender) this.events?.onSendable(context.sender);
    });
    this.container.on('accepted', (context: EventContext) => this.devices.onSettled(context, 'accepted'));
    this.container.on('rejected', (context: EventContext) => this.devices.onSettled(context, 'rejected'));
    this.container.on('released', (context: EventContext) => this.devices.onSettled(context, 'released'));
    this.container.on('message', (context: EventContext) => {
      if (this.devices.owns(context.receiver)) this.devices.onMessage(context);
      else if (this.dps?.owns(context.receiver)) this.dps.onMessage(context);
      else if (this.events && isManagementAddress(targetOf(context.receiver))) this.events.onManagementRequest(context);
      else void this.onMessage(context);
    });
    this.container.on('error', (error: unknown) => deps.logger.debug(`AMQP error: ${String(error)}`));
    this.dispose = deps.events.on('c2dSettled', () => this.flushFeedback());
  }

  /** WebSocket handler for the `AMQPWSB10` sub-protocol on the HTTPS listener. */
  handleWebSocket(stream: Duplex, request: IncomingMessage, onAdmitted?: () => void): void {
    this.container.websocket_accept(adaptWebSocketStream(stream, request, this.deps.outgoing) as never, { max_frame_size: AMQP_MAX_FRAME_BYTES, [ADMIT_OPTION]: onAdmitted, [WEB_SOCKET_OPTION]: true, [PEER_CHAIN_OPTION]: presentedChain(request.socket) } as never);
  }

  /** Closes every AMQP connection. */
  close(): void {
    this.dispose();
    this.events?.close();
    for (const connection of this.connections) connection.close();
    this.connections.clear();
  }

  private stateOf(connection: Connection): ConnectionState {
    let state = this.states.get(connection);
    if (!state) {
      state = { authorizedUntil: 0 };
      this.states.set(connection, state);
    }
    return state;
  }

  private onReceiverOpen(context: EventContext): void {
    const receiver = context.receiver;
    if (!receiver) return;
    const address = (receiver.target as { address?: string } | undefined)?.address;
    if (address === CBS_ADDRESS) return;
    if (isEventHubsOnly(context.connection) && !(this.events && isManagementAddress(address))) {
      receiver.close(EVENT_HUBS_ONLY_REFUSAL);
      return;
    }
    if (address === DEVICEBOUND_ADDRESS) {
      if (!this.isAuthorized(context.connection)) receiver.close(toAmqpError(unauthorized('Put a token on $cbs before sending C2D messages.')));
      return;
    }
    if (this.events && isManagementAddress(address)) return;
    const registration = this.dps && parseDpsLinkAddress(address);
    if (registration) {
      this.dps?.openLink(context, receiver, registration);
      return;
    }
    const deviceLink = parseDeviceLinkAddress(address, 'receiver');
    if (deviceLink) {
      this.devices.openLink(context, receiver, deviceLink);
      return;
    }
    receiver.close({ condition: 'amqp:not-found', description: `No AMQP node '${String(address)}' on this hub.` });
  }

  private onSenderOpen(context: EventContext): void {
    const sender = context.sender;
    if (!sender) return;
    const address = sender.source?.address;
    if (address === CBS_ADDRESS) {
      this.stateOf(context.connection).cbsReplies = sender;
      return;
    }
    if (isEventHubsOnly(context.connection) && !(this.events && (isManagementAddress(address) || parsePartitionAddress(address)))) {
      sender.close(EVENT_HUBS_ONLY_REFUSAL);
      return;
    }
    if (address === FEEDBACK_ADDRESS) {
      if (!this.isAuthorized(context.connection)) {
        sender.close(toAmqpError(unauthorized('Put a token on $cbs before receiving feedback.')));
        return;
      }
      this.feedbackSenders.add(sender);
      this.flushFeedback();
      return;
    }
    const eventsPath = this.events ? hubEventsPathOf(address) : undefined;
    if (eventsPath !== undefined) {
      this.redirectReader(context.connection, sender, eventsPath);
      return;
    }
    const partition = this.events ? parsePartitionAddress(address) : undefined;
    if (partition) {
      this.events?.openReader(sender, partition, this.isAuthorized(context.connection));
      return;
    }
    if (this.events && isManagementAddress(address)) {
      this.events.openManagementReplies(context.connection, sender);
      return;
    }
    const registration = this.dps && parseDpsLinkAddress(address);
    if (registration) {
      this.dps?.openLink(context, sender, registration);
      return;
    }
    const deviceLink = parseDeviceLinkAddress(address, 'sender');
    if (deviceLink) {
      this.devices.openLink(context, sender, deviceLink);
      return;
    }
    sender.close({ condition: 'amqp:not-found', description: `No AMQP node '${String(address)}' on this hub.` });
  }

  /**
   * A connection that authenticated with SASL PLAIN (sasl-plain.ts) holds what its password token granted from the
   * start: a service policy opens the service surface as a `$cbs` put-token would, a device token that device's links.
   */
  private grantPlainIdentity(connection: Connection): void {
    const identity = plainIdentityOf<PlainIdentity>(connection);
    // A DPS registration's login is read by the DPS links (dps/dps-sasl.ts), not granted here.
    if (!identity || identity.kind === 'dps') return;
    if (identity.kind === 'service') {
      const state = this.stateOf(connection);
      state.authorizedUntil = identity.expiresAtSeconds;
      state.policy = identity.policy;
    } else {
      this.devices.grants.grant(connection, identity.address, identity.expiresAtSeconds);
      this.admitPlainDevice(connection, identity.address);
    }
    this.deps.tap.record({
      deviceId: identity.kind === 'device' ? identity.address.deviceId : undefined,
      ...(identity.kind === 'device' && identity.address.moduleId !== undefined ? { moduleId: identity.address.moduleId } : {}),
      direction: 'in',
      protocol: 'amqp',
      ...amqpWebSocketFlag(connection),
      kind: 'connect',
      topic: 'SASL PLAIN',
      status: 200,
      payload: `${identity.kind === 'service' ? `policy ${identity.policy}` : 'device'} token until ${new Date(identity.expiresAtSeconds * 1000).toISOString()}`,
    });
  }

  /**
   * A device that logged in with SASL PLAIN (as the C SDK does) opened a device connection without a put-token: it
   * passes the request gate as `device.connect` like a put-token does (the tier's connection throttle, a
   * `refuseConnections` fault). Its links are not held meanwhile (the gate answers at once unless it shapes); a refusal
   * closes the connection with the error's condition, which the SDKs retry like a refused put-token.
   */
  private admitPlainDevice(connection: Connection, address: TwinAddress): void {
    const gate = this.deps.gate;
    if (gate?.active !== true) return;
    const ctx = requestContext(this.deps.clock, { principal: { kind: 'device', ...address }, operation: 'device.connect', protocol: 'amqp' });
    gate.admit(ctx).catch((error: unknown) => connection.close(this.gateRefusal(connection, address, 'SASL PLAIN', error)));
  }

  /** Logs and records a new device connection the request gate refused (`login`: how it logged in); its AMQP error. */
  private gateRefusal(connection: Connection, address: TwinAddress, login: '$cbs put-token' | 'SASL PLAIN', error: unknown): AmqpErrorCondition {
    const condition = toAmqpError(error);
    this.deps.logger.info(`AMQP ${login} of '${address.deviceId}' refused by the request gate: ${condition.description}`);
    this.deps.tap.record({
      deviceId: address.deviceId,
      ...(address.moduleId === undefined ? {} : { moduleId: address.moduleId }),
      direction: 'in',
      protocol: 'amqp',
      ...amqpWebSocketFlag(connection),
      kind: 'connect',
      topic: login,
      status: isIotHubError(error) ? error.httpStatus : 500,
      payload: `refused: ${condition.condition}: ${condition.description}`,
    });
    return condition;
  }

  /** A reader of the hub's `messages/events` node is sent to the Event Hub-compatible endpoint (needs ServiceConnect). */
  private redirectReader(connection: Connection, sender: Sender, eventsPath: string): void {
    const target = this.deps.eventHubRedirect?.();
    if (!this.isAuthorized(connection)) {
      sender.close(toAmqpError(unauthorized('Authenticate with SASL PLAIN (<policy>@sas.root.<hub>) or a $cbs token before reading messages/events.')));
      return;
    }
    if (!target) {
      sender.close({ condition: 'amqp:not-found', description: 'The built-in endpoint is not served (AMQP is off).' });
      return;
    }
    const redirect = redirectTo(target, eventsPath);
    this.deps.tap.record({ deviceId: undefined, direction: 'out', protocol: 'amqp', ...amqpWebSocketFlag(connection), kind: 'connect', topic: `messages/events${eventsPath}`, payload: `amqp:link:redirect to ${String(redirect.info?.address)}` });
    sender.close(redirect);
  }

  private async onMessage(context: EventContext): Promise<void> {
    const { receiver, message, delivery } = context;
    if (!receiver || !message || !delivery) return;
    const address = (receiver.target as { address?: string } | undefined)?.address;
    if (address === CBS_ADDRESS) {
      this.putToken(context, delivery);
      return;
    }
    try {
      if (!this.isAuthorized(context.connection)) throw unauthorized('The CBS token has expired; put a new one on $cbs.');
      const deviceId = deviceIdOfC2dAddress(message.to);
      const ctx = requestContext(this.deps.clock, {
        principal: { kind: 'service', policy: this.states.get(context.connection)?.policy ?? '' },
        operation: 'c2d.send',
        protocol: 'amqp',
        ...(message.message_id === undefined ? {} : { correlationId: String(message.message_id) }),
      });
      const input = c2dInputOf(message);
      if (this.deps.gate?.active) await this.deps.gate.admit(ctx, { deviceId, bytes: Buffer.byteLength(input.body) });
      // The C2D service records the queued message in the traffic tap (with backEnd: 'service').
      await this.deps.c2d.send(deviceId, input, ctx);
      delivery.accept();
    } catch (error) {
      this.deps.tap.record({ deviceId: undefined, direction: 'in', protocol: 'amqp', kind: 'c2d', backEnd: 'service', topic: String(message.to), payload: `rejected: ${String(error)}` });
      delivery.reject(toAmqpError(error));
    }
  }

  /**
   * CBS put-token (cbs.ts): reply `status-code` 200 and grant the service surface or a device identity, or 401. A
   * device token that opens its identity on this connection (not a renewal of a live grant) is a new device
   * connection: it passes the request gate as `device.connect` first (the tier's new-connection throttle, the
   * `refuseConnections` fault). A refusal rejects the put-token delivery with the hub's condition and sends no reply:
   * the Node SDK translates the condition (`amqp:internal-error` → InternalServerError, `com.microsoft:device-container-
   * throttled` → ThrottlingError), both retryable, whereas any non-200 `status-code` is an UnauthorizedError it never retries.
   */
  private putToken(context: EventContext, delivery: Delivery): void {
    const message = context.message;
    if (!message) return;
    const outcome = verifyPutToken(message, { service: this.deps.authenticator, device: this.deps.deviceAuthenticator }, requestHostOf(context.connection));
    const grant = outcome.grant;
    const gate = this.deps.gate;
    if (grant?.kind === 'device' && gate?.active === true && !this.devices.grants.allows(context.connection, grant.address)) {
      const ctx = requestContext(this.deps.clock, { principal: { kind: 'device', ...grant.address }, operation: 'device.connect', protocol: 'amqp' });
      gate
        .admit(ctx)
        .then(
          () => this.answerPutToken(context, message, delivery, outcome),
          (error: unknown) => this.refusePutToken(context, delivery, grant.address, error),
        )
        // The connection may have gone while the gate decided: nothing is left to answer.
        .catch((error: unknown) => this.deps.logger.debug(`AMQP put-token answer dropped: ${String(error)}`));
      return;
    }
    this.answerPutToken(context, message, delivery, outcome);
  }

  private answerPutToken(context: EventContext, message: Message, delivery: Delivery, outcome: CbsOutcome): void {
    const state = this.stateOf(context.connection);
    const grant = outcome.grant;
    if (grant?.kind === 'service') {
      state.authorizedUntil = grant.expiresAtSeconds;
      state.policy = grant.policy;
    } else if (grant?.kind === 'device') {
      this.devices.grants.grant(context.connection, grant.address, grant.expiresAtSeconds);
    } else {
      this.deps.logger.debug(`AMQP put-token refused: ${outcome.description}`);
    }
    const deviceId = grant?.kind === 'device' ? grant.address.deviceId : undefined;
    const moduleId = grant?.kind === 'device' ? grant.address.moduleId : undefined;
    this.deps.tap.record({
      deviceId,
      ...(moduleId === undefined ? {} : { moduleId }),
      direction: 'in',
      protocol: 'amqp',
      ...amqpWebSocketFlag(context.connection),
      kind: 'connect',
      topic: '$cbs put-token',
      status: outcome.status,
      payload: outcome.status === 200 ? `${grant?.kind ?? ''} token until ${new Date((grant?.expiresAtSeconds ?? 0) * 1000).toISOString()}` : outcome.description,
    });
    state.cbsReplies?.send({
      body: undefined,
      to: message.reply_to,
      correlation_id: message.message_id,
      application_properties: { 'status-code': outcome.status, 'status-description': outcome.description },
    });
    settleQuietly(delivery, 'accept');
  }

  /** A new device connection the gate refused: the put-token delivery is rejected with the error's condition. */
  private refusePutToken(context: EventContext, delivery: Delivery, address: TwinAddress, error: unknown): void {
    settleQuietly(delivery, 'reject', this.gateRefusal(context.connection, address, '$cbs put-token', error));
  }

  private isAuthorized(connection: Connection): boolean {
    const until = this.states.get(connection)?.authorizedUntil ?? 0;
    return until * 1000 > this.deps.clock.now().getTime();
  }

  /** Sends waiting feedback records as one JSON-array message to a feedback receiver with credit. */
  private flushFeedback(): void {
    if (!this.deps.c2d.hasFeedback) return;
    const sender = [...this.feedbackSenders].find((candidate) => candidate.is_open() && candidate.sendable());
    if (!sender) return;
    const records = this.deps.c2d.takeFeedback();
    sender.send({
      message_id: rhea.generate_uuid(),
      content_type: 'application/vnd.microsoft.iothub.feedback.json',
      body: rhea.message.data_section(Buffer.from(JSON.stringify(records), 'utf8')),
    });
    for (const record of records) {
      this.deps.tap.record({ deviceId: record.deviceId, direction: 'out', protocol: 'amqp', kind: 'c2d', backEnd: 'service', topic: `feedback ${record.statusCode} ${record.originalMessageId}`, payload: JSON.stringify(record) });
    }
  }
}

/** The connection option carrying a WebSocket connection's client certificate chain (read from the upgrade request). */
const PEER_CHAIN_OPTION = 'twinStudioPeerChain';

/** The client certificate chain of a connection: from its TLS socket, or from its WebSocket upgrade request. */
function peerChainOf(connection: Connection): Buffer[] {
  const viaWebSocket = (connection.options as unknown as Record<string, unknown> | undefined)?.[PEER_CHAIN_OPTION];
  if (Array.isArray(viaWebSocket)) return viaWebSocket as Buffer[];
  return presentedChain((connection as unknown as { socket?: unknown }).socket);
}

function targetOf(receiver: Receiver | undefined): unknown {
  return (receiver?.target as { address?: string } | undefined)?.address;
}

/** The host a client addressed: SNI for TLS, the `Host` header for WebSockets. */
function requestHostOf(connection: Connection): string | undefined {
  const socket = (connection as unknown as { socket?: { servername?: unknown; requestHost?: unknown } }).socket;
  const host = socket?.servername ?? socket?.requestHost;
  return typeof host === 'string' && host !== '' ? host : undefined;
}

/** An open AMQP connection is admitted: over TLS by its socket, over WebSockets by the callback in its options. */
function admitOpened(connection: Connection, admit: AmqpServerDeps['admit']): void {
  const viaWebSocket = (connection.options as unknown as Record<string, unknown> | undefined)?.[ADMIT_OPTION];
  if (typeof viaWebSocket === 'function') (viaWebSocket as () => void)();
  const socket = (connection as unknown as { socket?: { remoteAddress?: string; remotePort?: number; localPort?: number } }).socket;
  if (socket?.remoteAddress !== undefined) admit?.(socket);
}

/** Settles a delivery whose link may already be gone (nothing waits for the settlement then). */
function settleQuietly(delivery: Delivery, outcome: 'accept' | 'reject', error?: { condition: string; description: string }): void {
  try {
    if (outcome === 'accept') delivery.accept();
    else delivery.reject(error);
  } catch {
    // The link or connection closed while the gate decided.
  }
}
