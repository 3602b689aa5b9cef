import { parse as parseQuery } from 'node:querystring';

import type { Client, PublishPacket, Subscription } from 'aedes';

import { dpsBadRequest } from '../../errors/dps-catalogue.js';
import { toDpsError } from '../../errors/to-dps.js';
import type { RegistrationAuthResult, RegistrationService } from '../../provisioning/registration-service.js';
import { RETRY_AFTER_SECONDS } from '../../provisioning/registration-service.js';
import type { OperationStatus } from '../../provisioning/operations.js';
import { requestContext } from '../../services/request-contexts.js';
import type { Clock } from '../../util/clock.js';
import { operationJson } from '../dps/device-registration-handlers.js';
import type { TrafficTap } from '../tap.js';
import type { Logger } from '../../logger.js';

// The provisioning service (DPS) over MQTT on the hub's own MQTT/TLS listener (iothub-protocol-2.md §2.3; the
// Node DPS transport dials 8883 like the hub, §0.1). A CONNECT whose username is `<idScope>/registrations/<id>/…`
// is a DPS session, not a device connection: it may only subscribe to `$dps/registrations/res/#` and publish the
// two `$dps` requests, and it never counts as a device being connected.

/** The DPS connections' client ids get this prefix so a DPS session never takes over the device's hub connection. */
export const DPS_CLIENT_PREFIX = '$dps:';

const USERNAME = /^([^/]+)\/registrations\/([^/]+)\/api-version=/;
const RESPONSE_FILTER = '$dps/registrations/res/#';
const REGISTER = /^\$dps\/registrations\/PUT\/iotdps-register\/\?(.*)$/;
const POLL = /^\$dps\/registrations\/GET\/iotdps-get-operationstatus\/\?(.*)$/;
/** A DPS session lives seconds; one that lingers is closed after this long. */
const MAX_SESSION_MS = 5 * 60_000;

/** One DPS session: the registration id it named and how its SAS token fared. */
export interface DpsSession {
  readonly idScope: string;
  readonly registrationId: string;
  readonly auth: RegistrationAuthResult;
  lifetime?: NodeJS.Timeout;
}

/** What DPS over MQTT needs from the gateway. */
export interface DpsSessionDeps {
  readonly registrations: RegistrationService;
  readonly tap: TrafficTap;
  readonly clock: Clock;
  readonly logger: Logger;
}

/** The id scope and registration id of a DPS username, or undefined for any other username. */
export function parseDpsUsername(username: string | undefined): { idScope: string; registrationId: string } | undefined {
  const match = USERNAME.exec(username ?? '');
  return match ? { idScope: match[1] ?? '', registrationId: match[2] ?? '' } : undefined;
}

/**
 * CONNECT of a DPS session: always accepted when the username names a registration (CONNACK 0); a bad SAS or
 * certificate is answered on the first request with `res/401` and errorCode 401002, as DPS does (checklist 115).
 * Without a password the TLS client certificate chain (`certificate`, leaf first) is the credential (X.509).
 */
export function openDpsSession(deps: DpsSessionDeps, client: Client, username: string, password: string | undefined, certificate: readonly Buffer[] = []): DpsSession | undefined {
  const named = parseDpsUsername(username);
  if (!named) return undefined;
  const clientId = client.id.startsWith(DPS_CLIENT_PREFIX) ? client.id.slice(DPS_CLIENT_PREFIX.length) : client.id;
  const auth: RegistrationAuthResult =
    clientId.toLowerCase() === named.registrationId.toLowerCase()
      ? deps.registrations.authenticate(named.idScope, named.registrationId, password, password === undefined || password === '' ? certificate : [])
      : { ok: false, error: dpsBadRequest(`The ClientId '${clientId}' is not the registration id '${named.registrationId}' of the username.`) };
  deps.tap.record({ deviceId: named.registrationId, direction: 'in', protocol: 'mqtt', kind: 'connect', topic: 'CONNECT (DPS)', status: 0, payload: auth.ok ? 'provisioning session' : `provisioning session, not authorized: ${auth.error.message}` });
  return { ...named, auth };
}

/** Closes a DPS session that outlives {@link MAX_SESSION_MS} (its listener's connection count stays bounded). */
export function limitDpsSession(session: DpsSession, client: Client): void {
  session.lifetime = setTimeout(() => client.close(), MAX_SESSION_MS);
  session.lifetime.unref();
}

/** SUBSCRIBE of a DPS session: only the response filter, at QoS ≤ 1. */
export function authorizeDpsSubscribe(sub: Subscription): Subscription | null {
  if (sub.topic !== RESPONSE_FILTER) return null;
  return sub.qos > 1 ? { ...sub, qos: 1 } : sub;
}

/**
 * PUBLISH of a DPS session: a register or a poll is served and answered on `$dps/registrations/res/<status>/`;
 * anything else closes the session (an Error), as a forbidden topic does on the hub. The request itself is never
 * routed (returns an Error only for forbidden topics; served requests return null and are dropped by aedes'
 * routing because nobody may subscribe to them).
 */
export function handleDpsPublish(deps: DpsSessionDeps, client: Client, session: DpsSession, packet: PublishPacket): Error | null {
  const register = REGISTER.exec(packet.topic);
  const poll = register ? undefined : POLL.exec(packet.topic);
  if (!register && !poll) return new Error(`a provisioning session may not publish to '${packet.topic}'`);
  if (packet.qos === 2) return new Error('QoS 2 is not supported');
  const query = parseQuery((register ?? poll)?.[1] ?? '');
  const rid = typeof query.$rid === 'string' ? query.$rid : '';
  const payload = Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload);
  deps.tap.record({ deviceId: session.registrationId, direction: 'in', protocol: 'mqtt', kind: 'other', topic: packet.topic, rid, payload });
  const now = deps.clock.now();
  try {
    if (!session.auth.ok) throw session.auth.error;
    const ctx = requestContext(deps.clock, { time: now, correlationId: rid || undefined, principal: { kind: 'provisioning', registrationId: session.registrationId }, operation: register ? 'dps.register' : 'dps.operationStatus', protocol: 'mqtt' });
    const status = register
      ? deps.registrations.register(ctx, session.auth.principal, parseBody(payload))
      : deps.registrations.operationStatus(session.registrationId, typeof query.operationId === 'string' ? query.operationId : '');
    reply(deps, client, session, rid, status);
  } catch (error) {
    const wire = toDpsError(error, now);
    if (wire.status >= 500) deps.logger.error(`DPS request failed: ${String(error)}`, rid);
    send(deps, client, session, `$dps/registrations/res/${wire.status}/?$rid=${rid}`, wire.body, rid, wire.status);
  }
  return null;
}

function reply(deps: DpsSessionDeps, client: Client, session: DpsSession, rid: string, status: OperationStatus): void {
  const code = status.status === 'assigning' ? 202 : 200;
  const retry = status.status === 'assigning' ? `&retry-after=${RETRY_AFTER_SECONDS}` : '';
  send(deps, client, session, `$dps/registrations/res/${code}/?$rid=${rid}${retry}`, JSON.stringify(operationJson(status)), rid, code);
}

function send(deps: DpsSessionDeps, client: Client, session: DpsSession, topic: string, body: string, rid: string, status: number): void {
  const payload = Buffer.from(body, 'utf8');
  client.publish({ cmd: 'publish', topic, payload, qos: 1, retain: false, dup: false }, (error) => {
    if (error) deps.logger.debug(`DPS reply to ${client.id} failed: ${error.message}`, rid);
  });
  deps.tap.record({ deviceId: session.registrationId, direction: 'out', protocol: 'mqtt', kind: 'other', topic, rid, status, payload });
}

/** The register body (`{"registrationId":…,"payload":…}`, or empty as Embedded C sends it); not JSON is 400. */
function parseBody(payload: Buffer): unknown {
  const text = payload.toString('utf8').trim();
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw dpsBadRequest('The register body is not valid JSON.');
  }
}
