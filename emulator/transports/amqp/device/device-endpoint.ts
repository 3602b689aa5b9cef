import rhea, { type Connection, type Delivery, type EventContext, type Message, type Receiver, type Sender } from 'rhea';

import type { RequestGate } from '../../../services/request-gate.js';
import { endsDeviceConnection, messageTooLarge, unauthorized } from '../../../errors/catalogue.js';
import { toAmqpError } from '../../../errors/to-amqp.js';
import type { FaultEngine } from '../../../faults/fault-engine.js';
import type { FaultTarget } from '../../../faults/fault-target.js';
import type { Logger } from '../../../logger.js';
import type { JsonObject } from '../../../model/json.js';
import type { RequestContext } from '../../../model/request-context.js';
import { twinKey, type TwinAddress } from '../../../model/twin-address.js';
import type { ConnectionTracker } from '../../../services/connection-tracker.js';
import type { DeviceAuthenticator } from '../../../services/device-authenticator.js';
import type { DevicePort } from '../../../services/device-port.js';
import type { MethodService } from '../../../services/method-service.js';
import { requestContext } from '../../../services/request-contexts.js';
import { MAX_D2C_BODY_BYTES, type TelemetryService } from '../../../services/telemetry-service.js';
import type { TwinService } from '../../../services/twin-service.js';
import type { Clock } from '../../../util/clock.js';
import { getOwn } from '../../../util/own-keys.js';
import type { TrafficTap } from '../../tap.js';
import { amqpTransportOf, amqpWebSocketFlag } from '../connection-transport.js';
import { AmqpFaultTarget } from './amqp-fault-target.js';
import { AmqpC2dDelivery, type C2dLockingQueue, type C2dSettlement } from './c2d-delivery.js';
import { DeviceGrants } from './device-grants.js';
import { channelOf, newIdentityLinks, type IdentityLinks } from './identity-links.js';
import type { DeviceLinkAddress } from './link-address.js';
import { idText, wireId } from './message-ids.js';
import { bodyBytesOf } from '../message-body.js';
import { telemetryPropertiesOf } from './telemetry-message.js';
import { answerTwinRequest, sendDesiredNotification, sendTwinReply, twinRequestId } from './twin-requests.js';

/** What the device side of the AMQP endpoint needs from the emulator. */
export interface AmqpDeviceDeps {
  readonly twins: Pick<TwinService, 'getDeviceTwin' | 'patchReported' | 'setModelId'>;
  readonly telemetry: Pick<TelemetryService, 'receive'>;
  readonly c2d: C2dLockingQueue;
  readonly methods: Pick<MethodService, 'complete' | 'notifyReady' | 'connectionLost'>;
  readonly connections: Pick<ConnectionTracker, 'connected' | 'disconnected' | 'touch'>;
  /** A newer connection of an identity came up here: every other connection of it, on any transport, closes. */
  readonly claim: (address: TwinAddress, newer: object) => void;
  readonly tap: TrafficTap;
  readonly clock: Clock;
  readonly logger: Logger;
  /** How long a connection outlives a CBS token that was not renewed (config `tokenExpiryGraceMs`). */
  readonly tokenExpiryGraceMs: number;
  /** X.509: checks the certificate chain a connection's TLS handshake presented for an identity (iothub-protocol-2.md §1.5). */
  readonly certificates?: Pick<DeviceAuthenticator, 'authenticateCertificate'>;
  /** The client certificate chain of a connection (DER, leaf first; empty without one). */
  readonly peerChainOf?: (connection: Connection) => Buffer[];
  /** Injected faults (emulator/faults/): the SDKs' fault-request messages; absent = none. */
  readonly faults?: Pick<FaultEngine, 'onDeviceMessage'>;
  /** The request gate (`services/request-gate.ts`): throttles, quotas, faults; absent or empty = nothing checked. */
  readonly gate?: RequestGate;
  /** The largest D2C body (lenient mode raises it, services/leniency.ts); IoT Hub's 256 KB when absent. */
  readonly maxD2cBodyBytes?: number;
}

/** The link property the C# SDK announces an IoT Plug and Play model id with (iothub-protocol-2.md §3.3). */
const MODEL_ID_PROPERTY = 'com.microsoft:model-id';
/** The method response status application property (§3.6). */
const METHOD_STATUS = 'IoThub-status';
const METHOD_NAME = 'IoThub-methodname';

/**
 * The device side of the AMQP endpoint (iothub-protocol-2.md §3): device and module links authorised by CBS
 * tokens, telemetry, C2D with settlement, direct methods and the twin — and the AMQP half of the device port, so
 * services reach a device on whichever transport it is connected with. An identity counts as connected while it
 * has a link; its newest connection on any transport wins.
 */
export class AmqpDeviceEndpoint implements DevicePort {
  readonly grants: DeviceGrants;
  /** How injected faults reach AMQP device connections (bind it to the fault engine). */
  readonly faultTarget: FaultTarget;
  private readonly identities = new Map<string, Set<IdentityLinks>>();
  private readonly byConnection = new Map<Connection, Map<string, IdentityLinks>>();
  private readonly byLink = new WeakMap<Sender | Receiver, { identity: IdentityLinks; link: DeviceLinkAddress }>();
  private readonly delivery: AmqpC2dDelivery;

  constructor(private readonly deps: AmqpDeviceDeps) {
    this.delivery = new AmqpC2dDelivery(deps.c2d, deps.tap, deps.logger);
    this.faultTarget = new AmqpFaultTarget(
      {
        identitiesOf: (deviceId) => [...this.identities.values()].flatMap((set) => [...set]).filter((identity) => deviceId === undefined || identity.address.deviceId === deviceId),
        kindOf: (link) => this.byLink.get(link)?.link.kind,
      },
      deps.logger,
    );
    this.grants = new DeviceGrants(deps.clock, deps.tokenExpiryGraceMs, (connection, address) => this.expired(connection, address));
  }

  /** A device link attached; refused with `amqp:unauthorized-access` without a live CBS token for its identity. */
  openLink(context: EventContext, link: Sender | Receiver, parsed: DeviceLinkAddress): void {
    const { connection } = context;
    const key = twinKey(parsed.address);
    const certificateRefusal = this.grants.allows(connection, parsed.address) ? undefined : this.authenticateCertificate(connection, parsed.address);
    if (certificateRefusal !== undefined) {
      const reason = certificateRefusal === '' ? `No valid CBS token for '${key}' on this connection: put a token with audience <host>/devices/${parsed.address.deviceId}${parsed.address.moduleId === undefined ? '' : `/modules/${parsed.address.moduleId}`} on $cbs first.` : `X.509 authentication of '${key}' failed: ${certificateRefusal}`;
      const error = toAmqpError(unauthorized(reason));
      this.deps.tap.record({ deviceId: parsed.address.deviceId, ...moduleOf(parsed.address), direction: 'in', protocol: 'amqp', ...amqpWebSocketFlag(connection), kind: 'connect', topic: `attach ${linkAddressOf(link)}`, payload: `refused: ${error.description}` });
      link.close(error);
      return;
    }
    if (link.is_sender()) honourSettleMode(link as Sender);
    const identity = this.identityOn(connection, parsed.address);
    this.byLink.set(link, { identity, link: parsed });
    const first = identity.links.size === 0;
    identity.links.add(link);
    if (first) this.connected(identity);
    this.deps.connections.touch(parsed.address);
    this.attachFeature(identity, link, parsed);
    const modelId = (link as unknown as { properties?: Record<string, unknown> }).properties?.[MODEL_ID_PROPERTY];
    if (typeof modelId === 'string' && modelId !== '') void this.deps.twins.setModelId(parsed.address, modelId).catch(() => undefined);
  }

  /**
   * X.509 over AMQP (the Node SDK attaches links without CBS when it uses a certificate): the connection's client
   * certificate must authenticate the identity the link names. Undefined when it does (the identity is then granted on
   * this connection), '' without a certificate, else the refusal's reason.
   */
  private authenticateCertificate(connection: Connection, address: TwinAddress): string | undefined {
    const chain = this.deps.peerChainOf?.(connection) ?? [];
    if (chain.length === 0 || !this.deps.certificates) return '';
    const result = this.deps.certificates.authenticateCertificate(address, chain);
    if (!result.ok) {
      this.deps.logger.info(`AMQP X.509 refused for '${twinKey(address)}': ${result.reason}`);
      return result.reason;
    }
    this.grants.grantCertificate(connection, address);
    return undefined;
  }

  /** A device link detached (or its session/connection went away). */
  closeLink(link: Sender | Receiver): void {
    const entry = this.byLink.get(link);
    if (!entry) return;
    this.byLink.delete(link);
    const { identity } = entry;
    if (!identity.links.delete(link)) return;
    this.detachFeature(identity, link, entry.link);
    if (identity.links.size === 0) this.disconnected(identity);
  }

  /** The connection ended: all its identities' links are gone. */
  closeConnection(connection: Connection): void {
    for (const identity of [...(this.byConnection.get(connection)?.values() ?? [])]) for (const link of [...identity.links]) this.closeLink(link);
    this.byConnection.delete(connection);
    this.grants.forget(connection);
  }

  /** True when the link is one of ours (a device link). */
  owns(link: Sender | Receiver | undefined): boolean {
    return link !== undefined && this.byLink.has(link);
  }

  /** A message on a device link: telemetry, a method response or a twin request. */
  onMessage(context: EventContext): void {
    const { receiver, message, delivery } = context;
    const entry = receiver ? this.byLink.get(receiver) : undefined;
    if (!entry || !message || !delivery) return;
    const { identity } = entry;
    this.deps.connections.touch(identity.address);
    if (!this.grants.allows(identity.connection, identity.address)) {
      settle(delivery, 'reject', toAmqpError(unauthorized('The CBS token for this identity has expired; put a new one on $cbs.')));
      return;
    }
    switch (entry.link.kind) {
      case 'telemetry':
        this.receiveTelemetry(identity, message, delivery);
        return;
      case 'methods':
        this.receiveMethodResponse(identity, message);
        settle(delivery, 'accept');
        return;
      case 'twin':
        settle(delivery, 'accept');
        void this.answerTwin(identity, receiver as Receiver, message);
        return;
      default:
        settle(delivery, 'reject', { condition: 'amqp:not-allowed', description: 'This link does not take messages.' });
    }
  }

  /** The device settled a delivery we sent (only C2D deliveries wait for it). */
  onSettled(context: EventContext, outcome: C2dSettlement): void {
    const entry = context.sender ? this.byLink.get(context.sender) : undefined;
    if (entry?.link.kind === 'c2d' && context.delivery) this.delivery.settle(entry.identity, context.delivery, outcome);
  }

  /** A sender got credit: C2D may go on. */
  onSendable(context: EventContext): void {
    const entry = context.sender ? this.byLink.get(context.sender) : undefined;
    if (entry?.link.kind === 'c2d') this.delivery.pump(entry.identity);
  }

  // DevicePort ----------------------------------------------------------------------------------------------------

  isConnected(address: TwinAddress): boolean {
    return this.newest(address) !== undefined;
  }

  notifyDesired(address: TwinAddress, body: JsonObject): void {
    for (const identity of this.identities.get(twinKey(address)) ?? []) {
      if (!identity.desiredSubscribed) continue;
      const sender = [...identity.twinSenders.values()].find((candidate) => candidate.is_open());
      if (!sender) continue;
      sendDesiredNotification(sender, body);
      this.deps.tap.record({ deviceId: address.deviceId, ...moduleOf(address), direction: 'out', protocol: 'amqp', ...amqpWebSocketFlag(identity.connection), kind: 'twin', topic: 'desired properties', payload: JSON.stringify(body) });
    }
  }

  deliverC2d(deviceId: string): void {
    for (const identity of this.identities.get(deviceId) ?? []) if (identity.c2d) this.delivery.pump(identity);
  }

  canReceiveMethods(address: TwinAddress): boolean {
    return this.methodTarget(address) !== undefined;
  }

  invokeMethod(address: TwinAddress, methodName: string, payload: string, rid: string): void {
    const identity = this.methodTarget(address);
    const sender = identity?.methodRequests;
    if (!identity || !sender) return;
    const correlationId = rhea.generate_uuid();
    identity.methodCalls.set(correlationId, rid);
    sender.send({
      correlation_id: wireId(correlationId),
      application_properties: { [METHOD_NAME]: methodName },
      body: rhea.message.data_section(Buffer.from(payload, 'utf8')),
    });
    this.deps.tap.record({ deviceId: address.deviceId, ...moduleOf(address), direction: 'out', protocol: 'amqp', ...amqpWebSocketFlag(identity.connection), kind: 'method', topic: `method ${methodName}`, payload, rid: correlationId });
  }

  disconnect(address: TwinAddress): void {
    for (const [key, identities] of [...this.identities]) {
      const owner = identities.values().next().value?.address;
      if (!owner || owner.deviceId !== address.deviceId) continue;
      if (address.moduleId !== undefined && owner.moduleId !== address.moduleId) continue;
      for (const identity of [...identities]) this.closeIdentity(identity, { condition: 'amqp:unauthorized-access', description: `The identity '${key}' was deleted or disabled.` });
    }
  }

  supersede(address: TwinAddress, newer: object): void {
    for (const identity of [...(this.identities.get(twinKey(address)) ?? [])]) {
      if (identity === newer) continue;
      this.closeIdentity(identity, { condition: 'amqp:link:detach-forced', description: `A newer connection of '${twinKey(address)}' took over.` });
    }
  }

  // ---------------------------------------------------------------------------------------------------------------

  private identityOn(connection: Connection, address: TwinAddress): IdentityLinks {
    const key = twinKey(address);
    let perConnection = this.byConnection.get(connection);
    if (!perConnection) {
      perConnection = new Map();
      this.byConnection.set(connection, perConnection);
    }
    let identity = perConnection.get(key);
    if (!identity) {
      identity = newIdentityLinks(connection, address);
      perConnection.set(key, identity);
    }
    return identity;
  }

  private connected(identity: IdentityLinks): void {
    const key = twinKey(identity.address);
    // The newest connection wins: older ones of the identity, on this transport or another, close first.
    this.deps.claim(identity.address, identity);
    let set = this.identities.get(key);
    if (!set) {
      set = new Set();
      this.identities.set(key, set);
    }
    set.add(identity);
    this.deps.connections.connected(identity.address, amqpTransportOf(identity.connection));
    this.deps.tap.record({ deviceId: identity.address.deviceId, ...moduleOf(identity.address), direction: 'in', protocol: 'amqp', ...amqpWebSocketFlag(identity.connection), kind: 'connect', topic: 'AMQP attach', payload: '' });
  }

  private disconnected(identity: IdentityLinks): void {
    const key = twinKey(identity.address);
    const set = this.identities.get(key);
    set?.delete(identity);
    if (set?.size === 0) this.identities.delete(key);
    this.byConnection.get(identity.connection)?.delete(key);
    this.deps.connections.disconnected(identity.address);
    this.deps.tap.record({ deviceId: identity.address.deviceId, ...moduleOf(identity.address), direction: 'in', protocol: 'amqp', ...amqpWebSocketFlag(identity.connection), kind: 'disconnect', topic: 'AMQP detach', payload: '' });
  }

  private attachFeature(identity: IdentityLinks, link: Sender | Receiver, parsed: DeviceLinkAddress): void {
    const isSender = link.is_sender();
    switch (parsed.kind) {
      case 'c2d':
        identity.c2d = link as Sender;
        this.delivery.pump(identity);
        return;
      case 'methods':
        if (isSender) identity.methodRequests = link as Sender;
        else identity.methodResponses = link as Receiver;
        if (identity.methodRequests?.is_open() !== false && identity.methodRequests && identity.methodResponses) {
          this.deps.methods.notifyReady(identity.address.deviceId, identity.address.moduleId);
        }
        return;
      case 'twin':
        if (isSender) identity.twinSenders.set(channelOf(link), link as Sender);
        return;
      default:
        return;
    }
  }

  private detachFeature(identity: IdentityLinks, link: Sender | Receiver, parsed: DeviceLinkAddress): void {
    switch (parsed.kind) {
      case 'c2d':
        if (identity.c2d === link) identity.c2d = undefined;
        this.delivery.abandonAll(identity);
        return;
      case 'methods':
        if (identity.methodRequests === link) identity.methodRequests = undefined;
        if (identity.methodResponses === link) identity.methodResponses = undefined;
        identity.methodCalls.clear();
        if (!this.canReceiveMethods(identity.address)) this.deps.methods.connectionLost(identity.address.deviceId, identity.address.moduleId);
        return;
      case 'twin':
        for (const [channel, sender] of identity.twinSenders) if (sender === link) identity.twinSenders.delete(channel);
        if (identity.twinSenders.size === 0) identity.desiredSubscribed = false;
        return;
      default:
        return;
    }
  }

  private receiveTelemetry(identity: IdentityLinks, message: Message, delivery: Delivery): void {
    const body = bodyBytesOf(message.body);
    const { address } = identity;
    const ctx = requestContext(this.deps.clock, { principal: { kind: 'device', ...address }, operation: 'telemetry.send', protocol: 'amqp', correlationId: idText(message.message_id) });
    const gate = this.deps.gate;
    if (gate === undefined || !gate.active) return this.takeTelemetry(identity, message, delivery, ctx, body);
    // Refused by the gate (throttled, over quota, a fault): the delivery is rejected with the hub's condition.
    gate.admit(ctx, { bytes: body.length }).then(
      () => this.takeTelemetry(identity, message, delivery, ctx, body),
      (error: unknown) => this.refuseTelemetry(identity, message, delivery, error),
    );
  }

  private takeTelemetry(identity: IdentityLinks, message: Message, delivery: Delivery, ctx: RequestContext, body: Buffer): void {
    const { address } = identity;
    try {
      const max = this.deps.maxD2cBodyBytes ?? MAX_D2C_BODY_BYTES;
      if (body.length > max) throw messageTooLarge(`The device-to-cloud message is ${body.length} bytes; the maximum is ${max}.`);
      const properties = telemetryPropertiesOf(message);
      // A fault request (AzIoTHub_FaultOperationType, emulator/faults/) is accepted and acted on, not routed.
      if (this.deps.faults?.onDeviceMessage(address, properties.application, 'amqp') === true) {
        settle(delivery, 'accept');
        return;
      }
      const durable = this.deps.telemetry.receive(ctx, address, properties, body);
      this.deps.tap.record({ deviceId: address.deviceId, ...moduleOf(address), direction: 'in', protocol: 'amqp', ...amqpWebSocketFlag(identity.connection), kind: 'telemetry', topic: String(message.to ?? linkAddressOf(delivery.link)), payload: body });
      // Accepted once the built-in endpoint has it durably.
      durable.then(
        () => settle(delivery, 'accept'),
        (error: unknown) => settle(delivery, 'reject', toAmqpError(error)),
      );
    } catch (error) {
      this.refuseTelemetry(identity, message, delivery, error);
    }
  }

  private refuseTelemetry(identity: IdentityLinks, message: Message, delivery: Delivery, error: unknown): void {
    const { address } = identity;
    const condition = toAmqpError(error);
    this.deps.tap.record({ deviceId: address.deviceId, ...moduleOf(address), direction: 'in', protocol: 'amqp', ...amqpWebSocketFlag(identity.connection), kind: 'telemetry', topic: String(message.to ?? ''), payload: `rejected: ${condition.description}` });
    settle(delivery, 'reject', condition);
    // 429002: IoT Hub also drops the connection of a device with too many requests in the throttling queue.
    if (endsDeviceConnection(error)) this.closeIdentityQuietly(identity, condition);
  }

  private receiveMethodResponse(identity: IdentityLinks, message: Message): void {
    const correlationId = idText(message.correlation_id);
    const rid = correlationId === undefined ? undefined : identity.methodCalls.get(correlationId);
    if (correlationId === undefined || rid === undefined) {
      this.deps.logger.debug(`AMQP method response with unknown correlation id '${String(correlationId)}' dropped`);
      return;
    }
    identity.methodCalls.delete(correlationId);
    const props = (message.application_properties ?? {}) as Record<string, unknown>;
    const status = Number(getOwn(props, METHOD_STATUS) ?? NaN);
    const body = bodyBytesOf(message.body);
    this.deps.tap.record({ deviceId: identity.address.deviceId, ...moduleOf(identity.address), direction: 'in', protocol: 'amqp', ...amqpWebSocketFlag(identity.connection), kind: 'method', topic: `method response ${Number.isFinite(status) ? status : '?'}`, payload: body, rid: correlationId, ...(Number.isFinite(status) ? { status } : {}) });
    this.deps.methods.complete(identity.address, rid, Number.isFinite(status) ? status : 500, body);
  }

  private async answerTwin(identity: IdentityLinks, receiver: Receiver, message: Message): Promise<void> {
    const { address } = identity;
    const rid = twinRequestId(message);
    const ctx = requestContext(this.deps.clock, { principal: { kind: 'device', ...address }, operation: 'twin.request', protocol: 'amqp', correlationId: rid });
    const annotations = (message.message_annotations ?? {}) as Record<string, unknown>;
    const what = `${String(annotations.operation ?? '')} ${String(annotations.resource ?? '')}`.trim();
    this.deps.tap.record({ deviceId: address.deviceId, ...moduleOf(address), direction: 'in', protocol: 'amqp', ...amqpWebSocketFlag(identity.connection), kind: 'twin', topic: `twin ${what}`, payload: bodyBytesOf(message.body), ...(rid === undefined ? {} : { rid }) });
    const reply = await answerTwinRequest(this.deps.twins, identity, ctx, message, this.deps.gate);
    const sender = identity.twinSenders.get(channelOf(receiver)) ?? [...identity.twinSenders.values()][0];
    // 429002: the reply goes out, then the device's connection closes (as IoT Hub drops it).
    const closeWith = reply.closeWith;
    if (closeWith !== undefined) setImmediate(() => this.closeIdentityQuietly(identity, closeWith));
    if (!sender?.is_open()) return;
    sendTwinReply(sender, message, reply);
    this.deps.tap.record({ deviceId: address.deviceId, ...moduleOf(address), direction: 'out', protocol: 'amqp', ...amqpWebSocketFlag(identity.connection), kind: 'twin', topic: `twin ${what} → ${reply.status}`, payload: reply.body, status: reply.status, ...(rid === undefined ? {} : { rid }) });
  }

  /** The newest identity that attached both method links. */
  private methodTarget(address: TwinAddress): IdentityLinks | undefined {
    return [...(this.identities.get(twinKey(address)) ?? [])].reverse().find((identity) => identity.methodRequests?.is_open() === true && identity.methodResponses !== undefined);
  }

  private newest(address: TwinAddress): IdentityLinks | undefined {
    return [...(this.identities.get(twinKey(address)) ?? [])].pop();
  }

  /** A CBS token ran out (plus grace) without renewal: the connection closes, as a real hub's does. */
  private expired(connection: Connection, address: TwinAddress): void {
    this.deps.logger.info(`AMQP connection of '${twinKey(address)}' closed: its CBS token expired without renewal`);
    connection.close({ condition: 'amqp:unauthorized-access', description: `The SAS token for '${twinKey(address)}' has expired; renew it with put-token on $cbs.` });
  }

  /** Closes an identity's connection that may already be gone (after a reply, a tick later). */
  private closeIdentityQuietly(identity: IdentityLinks, error: { condition: string; description: string }): void {
    try {
      this.closeIdentity(identity, error);
    } catch (failure) {
      this.deps.logger.debug(`closing the AMQP connection of '${twinKey(identity.address)}' failed: ${String(failure)}`);
    }
  }

  private closeIdentity(identity: IdentityLinks, error: { condition: string; description: string }): void {
    const others = this.byConnection.get(identity.connection);
    // A connection that carries only this identity closes whole (what the SDK reconnects from); otherwise its links.
    if (others && others.size <= 1) identity.connection.close(error);
    else for (const link of [...identity.links]) link.close(error);
    for (const link of [...identity.links]) this.closeLink(link);
  }
}

/**
 * A receiver that asks for pre-settled deliveries (`snd_settle_mode` 1, as the Node SDK's twin receiver does) gets
 * them: it then sends no disposition per reply, which with Nagle on the client's socket would hold its next request
 * back until our delayed ACK (~40 ms per twin round trip).
 */
function honourSettleMode(sender: Sender): void {
  const requested = (sender as unknown as { remote?: { attach?: { snd_settle_mode?: number } } }).remote?.attach?.snd_settle_mode;
  const local = (sender as unknown as { local?: { attach?: { snd_settle_mode?: number } } }).local?.attach;
  if (requested === 1 && local) local.snd_settle_mode = 1;
}

/**
 * Settles a delivery we received. A delivery the sender pre-settled (the Node SDK's twin requests) is settled here
 * too: rhea writes no disposition for it but only then drops it from the session's delivery buffer, which would
 * otherwise fill (2,048 entries) and stall every link of the session.
 */
function settle(delivery: Delivery, outcome: 'accept' | 'reject', error?: { condition: string; description: string }): void {
  try {
    if (outcome === 'accept') delivery.accept();
    else delivery.reject(error);
  } catch {
    // The link or connection is gone: nothing is waiting for this settlement any more.
  }
}

function moduleOf(address: TwinAddress): { moduleId?: string } {
  return address.moduleId === undefined ? {} : { moduleId: address.moduleId };
}

function linkAddressOf(link: Sender | Receiver): string {
  return String((link.is_sender() ? link.source?.address : (link.target as { address?: string } | undefined)?.address) ?? '');
}
