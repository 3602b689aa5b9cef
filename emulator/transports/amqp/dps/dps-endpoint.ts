import rhea, { type Connection, type EventContext, type Receiver, type Sender } from 'rhea';

import { dpsBadRequest, dpsUnauthorized } from '../../../errors/dps-catalogue.js';
import { toDpsAmqpError } from '../../../errors/to-dps-amqp.js';
import type { Logger } from '../../../logger.js';
import type { OperationStatus } from '../../../provisioning/operations.js';
import { RETRY_AFTER_SECONDS, type RegistrationAuthResult, type RegistrationService } from '../../../provisioning/registration-service.js';
import { requestContext } from '../../../services/request-contexts.js';
import type { Clock } from '../../../util/clock.js';
import { operationJson } from '../../dps/device-registration-handlers.js';
import type { TrafficTap } from '../../tap.js';
import { amqpWebSocketFlag } from '../connection-transport.js';
import { bodyBytesOf } from '../message-body.js';
import type { DpsLinkAddress } from './dps-link-address.js';
import { dpsSaslAuthOf } from './dps-sasl.js';

/** What DPS over AMQP needs from the emulator. */
export interface AmqpDpsDeps {
  readonly registrations: Pick<RegistrationService, 'authenticate' | 'register' | 'operationStatus'>;
  /** The client certificate chain of a connection (DER, leaf first; empty without one). */
  readonly peerChainOf: (connection: Connection) => Buffer[];
  readonly tap: TrafficTap;
  readonly clock: Clock;
  readonly logger: Logger;
}

const OPERATION_TYPE = 'iotdps-operation-type';
const OPERATION_ID = 'iotdps-operation-id';
const REGISTER = 'iotdps-register';
const POLL = 'iotdps-get-operationstatus';
/** Registrations one connection may open links for (the SDK uses one). */
const MAX_LINKS_PER_CONNECTION = 4;
/** Largest register body (registration id and custom-allocation payload), as the HTTPS routes take. */
const MAX_BODY_BYTES = 256 * 1024;

/** One registration's links on a connection: the credential check, and where replies go. */
interface DpsLinks {
  readonly address: DpsLinkAddress;
  readonly auth: RegistrationAuthResult;
  replies?: Sender;
}

/**
 * The provisioning service over AMQP on the hub's AMQP listener and its WebSocket path (iothub-protocol-2.md §2.4),
 * as `azure-iot-provisioning-device-amqp` speaks it: a sender and a receiver link both addressed
 * `<idScope>/registrations/<registrationId>`. The credential is the SASL PLAIN token (`dps-sasl.ts`), else the TLS
 * client certificate (X.509) checked when a link attaches; a refused credential is answered on the first request
 * with `amqp:unauthorized-access` naming the reason. Requests carry `iotdps-operation-type` (`iotdps-register`, or
 * `iotdps-get-operationstatus` with `iotdps-operation-id`) and a `correlation_id`; the reply goes on the receiver
 * link with the same `correlation_id`, the operation status JSON as a data section and `retry-after` (seconds)
 * while assigning. A refused request is a rejected delivery with the condition its DPS status maps to.
 */
export class AmqpDpsEndpoint {
  private readonly links = new WeakMap<Connection, Map<string, DpsLinks>>();
  private readonly receivers = new WeakSet<Receiver>();

  constructor(private readonly deps: AmqpDpsDeps) {}

  /** True for a receiver link this endpoint opened (its messages are DPS requests). */
  owns(receiver: Receiver | undefined): boolean {
    return receiver !== undefined && this.receivers.has(receiver);
  }

  /** A client link to `<idScope>/registrations/<registrationId>`: authenticated, then kept (or closed with the reason). */
  openLink(context: EventContext, link: Sender | Receiver, address: DpsLinkAddress): void {
    const connection = context.connection;
    const auth = this.authenticate(connection, address);
    this.deps.tap.record({
      deviceId: address.registrationId,
      direction: 'in',
      protocol: 'amqp',
      ...amqpWebSocketFlag(connection),
      kind: 'connect',
      topic: `ATTACH (DPS) ${address.idScope}/registrations/${address.registrationId}`,
      status: auth.ok ? 0 : 401,
      payload: auth.ok ? 'provisioning session' : `provisioning session, not authorized: ${auth.error.message}`,
    });
    // A refused credential is answered on the first request (a rejected delivery, 401), as over MQTT: the Node
    // transport hangs when a link it attached is detached under it, and fails cleanly on a rejected request.
    if (!auth.ok) this.deps.logger.debug(`DPS AMQP registration refused: ${auth.error.message}`);
    let byRegistration = this.links.get(connection);
    if (!byRegistration) {
      byRegistration = new Map();
      this.links.set(connection, byRegistration);
    }
    const key = address.registrationId.toLowerCase();
    if (!byRegistration.has(key) && byRegistration.size >= MAX_LINKS_PER_CONNECTION) {
      link.close({ condition: 'amqp:resource-limit-exceeded', description: `At most ${MAX_LINKS_PER_CONNECTION} registrations per AMQP connection.` });
      return;
    }
    const entry = byRegistration.get(key) ?? { address, auth };
    byRegistration.set(key, entry);
    if (link.is_sender()) entry.replies = link as Sender;
    else this.receivers.add(link as Receiver);
  }

  /** A request on one of this endpoint's receivers: served, answered on the registration's sender, then accepted. */
  onMessage(context: EventContext): void {
    const { receiver, message, delivery, connection } = context;
    if (!receiver || !message || !delivery) return;
    const address = (receiver.target as { address?: string } | undefined)?.address ?? '';
    const entry = [...(this.links.get(connection)?.values() ?? [])].find((candidate) => `${candidate.address.idScope}/registrations/${candidate.address.registrationId}` === address);
    const properties = (message.application_properties ?? {}) as Record<string, unknown>;
    const operation = properties[OPERATION_TYPE];
    const correlationId = message.correlation_id;
    const body = bodyBytesOf(message.body);
    const registrationId = entry?.address.registrationId ?? address;
    this.deps.tap.record({ deviceId: registrationId, direction: 'in', protocol: 'amqp', ...amqpWebSocketFlag(connection), kind: 'other', topic: `${address} ${String(operation)}`, payload: body });
    const now = this.deps.clock.now();
    try {
      if (!entry) throw dpsUnauthorized('The link is not authorized.');
      if (!entry.auth.ok) throw entry.auth.error;
      if (correlationId === undefined || correlationId === null) throw dpsBadRequest('The request has no correlation_id.');
      if (operation !== REGISTER && operation !== POLL) throw dpsBadRequest(`Unknown ${OPERATION_TYPE} '${String(operation)}'.`);
      if (body.length > MAX_BODY_BYTES) throw dpsBadRequest(`The request body is ${body.length} bytes; at most ${MAX_BODY_BYTES} are accepted.`);
      if (!entry.replies?.is_open()) throw dpsBadRequest(`Attach a receiver link on '${address}' before sending requests: replies go there.`);
      const ctx = requestContext(this.deps.clock, { time: now, correlationId: String(correlationId), principal: { kind: 'provisioning', registrationId: entry.address.registrationId }, operation: operation === REGISTER ? 'dps.register' : 'dps.operationStatus', protocol: 'amqp' });
      const status =
        operation === REGISTER
          ? this.deps.registrations.register(ctx, entry.auth.principal, parseBody(body))
          : this.deps.registrations.operationStatus(entry.address.registrationId, typeof properties[OPERATION_ID] === 'string' ? properties[OPERATION_ID] : '');
      delivery.accept();
      this.reply(connection, entry, correlationId, status);
    } catch (error) {
      const condition = toDpsAmqpError(error);
      if (condition.condition === 'amqp:internal-error') this.deps.logger.error(`DPS AMQP request failed: ${String(error)}`);
      this.deps.tap.record({ deviceId: registrationId, direction: 'out', protocol: 'amqp', ...amqpWebSocketFlag(connection), kind: 'other', topic: `${address} rejected`, payload: `${condition.condition}: ${condition.description}` });
      delivery.reject(condition);
    }
  }

  private authenticate(connection: Connection, address: DpsLinkAddress): RegistrationAuthResult {
    const sasl = dpsSaslAuthOf(connection);
    if (sasl) {
      const same = sasl.address.idScope.toLowerCase() === address.idScope.toLowerCase() && sasl.address.registrationId.toLowerCase() === address.registrationId.toLowerCase();
      return same ? sasl.auth : { ok: false, error: dpsUnauthorized(`The connection authenticated '${sasl.address.registrationId}', not '${address.registrationId}'.`) };
    }
    return this.deps.registrations.authenticate(address.idScope, address.registrationId, undefined, this.deps.peerChainOf(connection));
  }

  private reply(connection: Connection, entry: DpsLinks, correlationId: unknown, status: OperationStatus): void {
    const text = JSON.stringify(operationJson(status));
    const assigning = status.status === 'assigning';
    entry.replies?.send({
      correlation_id: correlationId as string,
      application_properties: { ...(assigning ? { 'retry-after': String(RETRY_AFTER_SECONDS) } : {}), 'iotdps-status': status.status },
      body: rhea.message.data_section(Buffer.from(text, 'utf8')),
    });
    this.deps.tap.record({ deviceId: entry.address.registrationId, direction: 'out', protocol: 'amqp', ...amqpWebSocketFlag(connection), kind: 'other', topic: `${entry.address.idScope}/registrations/${entry.address.registrationId}`, status: assigning ? 202 : 200, payload: text });
  }
}

/** The register body (`{"registrationId":…,"payload":…}`), or empty; not JSON is 400. */
function parseBody(body: Buffer): unknown {
  const text = body.toString('utf8').trim();
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw dpsBadRequest('The register body is not valid JSON.');
  }
}
