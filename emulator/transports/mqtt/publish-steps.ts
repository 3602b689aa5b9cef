import type { Client, PublishPacket } from 'aedes';

import type { DeviceConnection } from './device-connection.js';
import type { GatewayCore } from './gateway-core.js';
import { dispatchRequest } from './request-handlers.js';
import { runSteps, stop, type Step } from './steps.js';
import { parseDeviceTopic, type DeviceRequest } from './topics.js';
import { webSocketFlag } from './transport-of.js';

// PUBLISH (aedes' `authorizePublish` hook): parse the topic into a typed request, authorize it, dispatch it to its
// handler. Request topics are handled here and then allowed: routing them is a no-op, since nobody can subscribe to
// them. An error closes the connection, as IoT Hub does for a forbidden topic or QoS 2 (iothub-protocol.md §3.4).

/** One device publish on its way through {@link PUBLISH_STEPS}. */
export interface PublishExchange {
  readonly core: GatewayCore;
  readonly connection: DeviceConnection;
  readonly packet: PublishPacket;
  readonly payload: Buffer;
  /** Unparsed means forbidden: only `parseTopic` lets a request through. */
  request: DeviceRequest;
  /** True for the client's Will, which aedes publishes through this hook when the connection ends ungracefully. */
  readonly isWill?: boolean;
  /** Set by `loseQos0` when an injected fault loses this QoS 0 message. */
  lost?: boolean;
  /** Set by `dispatch` when the handler holds the acknowledgement until its work is durable. */
  settled?: Promise<void>;
}

/** A PUBLISH step; stopping with an Error closes the connection. */
export type PublishStep = Step<PublishExchange, Error>;

const refuseQos2: PublishStep = ({ packet }) => (packet.qos === 2 ? stop(new Error('QoS 2 is not supported')) : undefined);

/** IoT Hub does not store retained messages (§3.4). */
const dropRetain: PublishStep = ({ packet }) => {
  packet.retain = false;
  return undefined;
};

const parseTopic: PublishStep = (exchange) => {
  exchange.request = parseDeviceTopic(exchange.packet.topic, exchange.connection.owner);
  return undefined;
};

/**
 * A Will arrives as telemetry with the application property `iothub-MessageType=Will` (iothub-protocol.md §3.5,
 * checklist 21). Its topic must be the identity's telemetry topic; any other Will is refused like any publish.
 */
const markWill: PublishStep = (exchange) => {
  const { request, isWill } = exchange;
  if (!isWill || request.kind !== 'telemetry') return undefined;
  const bag = request.propertyBag.endsWith('/') ? request.propertyBag.slice(0, -1) : request.propertyBag;
  exchange.request = { kind: 'telemetry', propertyBag: `${bag}${bag === '' ? '' : '&'}iothub-MessageType=Will` };
  return undefined;
};

/** Any publish, even a refused one, counts as activity of the identity (lastActivityTime). */
const touchIdentity: PublishStep = ({ core, connection }) => {
  core.deps.connections.touch(connection.owner);
  return undefined;
};

const refuseForbidden: PublishStep = ({ request }) => (request.kind === 'forbidden' ? stop(new Error(request.reason)) : undefined);

const recordIncoming: PublishStep = ({ core, connection, packet, payload, request }) => {
  const kind = request.kind === 'telemetry' ? 'telemetry' : request.kind === 'methodResponse' ? 'method' : 'twin';
  core.deps.tap.record({
    deviceId: connection.owner.deviceId,
    direction: 'in',
    protocol: 'mqtt',
    ...webSocketFlag(connection.client),
    kind,
    topic: packet.topic,
    payload,
    ...('rid' in request ? { rid: request.rid } : {}),
    ...(request.kind === 'methodResponse' ? { status: request.status } : {}),
  });
  return undefined;
};

/**
 * The `lossQos0` fault (emulator/faults/): a QoS 0 device-to-cloud message may be lost on the way, as on a lossy
 * network; the engine's seeded draw decides, and reports the loss to the traffic view. QoS 1 is never lost.
 */
const loseQos0: PublishStep = (exchange) => {
  const { core, connection, packet, request } = exchange;
  if (request.kind === 'telemetry' && packet.qos === 0 && exchange.isWill !== true && core.deps.faults?.losesQos0(connection.owner.deviceId) === true) exchange.lost = true;
  return undefined;
};

const dispatch: PublishStep = (exchange) => {
  const { core, connection, request, payload } = exchange;
  if (exchange.lost === true) return undefined;
  const settled = dispatchRequest(core, connection, request, payload);
  if (settled) exchange.settled = settled;
  return undefined;
};

/** The PUBLISH flow, in order. */
export const PUBLISH_STEPS: readonly PublishStep[] = [refuseQos2, dropRetain, parseTopic, markWill, touchIdentity, refuseForbidden, recordIncoming, loseQos0, dispatch];

/**
 * aedes' `authorizePublish`: null allows the packet, an Error closes the connection. A promise (telemetry) holds
 * aedes' answer, and with it the PUBACK, until the message is durable.
 */
export function authorizePublish(core: GatewayCore, client: Client | null, packet: PublishPacket): Error | null | Promise<Error | null> {
  // The broker's own publishes (there are none: replies use client.publish) pass.
  if (client === null) return null;
  const isWill = isWillOf(core, client, packet);
  // A Will can come before the connection was tracked (a socket that drops right after CONNACK): the principal
  // authenticated at CONNECT is enough to forward it.
  const connection = core.connections.of(client) ?? (isWill ? willConnection(core, client) : undefined);
  if (!connection) return new Error('not authenticated');
  const payload = Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload);
  const exchange: PublishExchange = { core, connection, packet, payload, request: { kind: 'forbidden', reason: 'not parsed' }, isWill };
  const stopped = runSteps(PUBLISH_STEPS, exchange);
  if (!stopped) return exchange.settled ? exchange.settled.then(() => null) : null;
  // The connection id is the correlation id of connection-level events.
  core.deps.logger.info(`closing connection (${stopped.by}): ${stopped.value.message}`, client.id);
  return stopped.value;
}

/**
 * aedes publishes the Will through `authorizePublish` once the client is closed; no PUBLISH of the client's own is
 * handled after that. The Will's topic is remembered at `preConnect` (mqtt-gateway.ts).
 */
function isWillOf(core: GatewayCore, client: Client, packet: PublishPacket): boolean {
  return client.closed && core.wills.get(client) === packet.topic;
}

function willConnection(core: GatewayCore, client: Client): DeviceConnection | undefined {
  const principal = core.principals.get(client);
  if (!principal) return undefined;
  const { deviceId, moduleId } = principal;
  return { client, principal, owner: moduleId === undefined ? { deviceId } : { deviceId, moduleId }, subscriptions: new Set() };
}
