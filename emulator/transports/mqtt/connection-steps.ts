import type { Client } from 'aedes';

import type { RequestContext } from '../../model/request-context.js';
import type { DevicePrincipal } from '../../services/device-authenticator.js';
import type { DeviceConnection } from './device-connection.js';
import type { GatewayCore } from './gateway-core.js';
import { announceMethodReadiness } from './method-handler.js';
import { identityOf, mqttContext } from './mqtt-context.js';
import { runSteps, type Step } from './steps.js';
import { isAllowedSubscription } from './topics.js';
import { mqttTransportOf, webSocketFlag } from './transport-of.js';
import type { DeviceTransport } from '../../model/device.js';

// A connection's life after CONNECT. READY_STEPS run at aedes' `connackSent` (return code 0), not `clientReady`:
// aedes handles a PUBLISH sent right after CONNACK before `clientReady` (it waits for the stored-packet replay), and
// mosquitto_pub publishes right after CONNACK. DISCONNECT_STEPS run at `clientDisconnect`.

/** A connection going through READY_STEPS or DISCONNECT_STEPS. */
export interface ConnectionExchange {
  readonly core: GatewayCore;
  readonly connection: DeviceConnection;
  readonly ctx: RequestContext;
}

type ConnectionStep = Step<ConnectionExchange, never>;

const trackConnection: ConnectionStep = ({ core, connection }) => {
  core.connections.add(connection);
  core.admissions.get(connection.client)?.();
  return undefined;
};

/** The newest connection of an identity wins on every transport: an older AMQP one closes (MQTT's own is aedes'). */
const claimIdentity: ConnectionStep = ({ core, connection }) => {
  core.deps.claim?.(connection.owner, connection);
  return undefined;
};

/**
 * A live connection is cut once its SAS token has expired, after the grace IoT Hub also gives ("a few minutes",
 * iothub-protocol.md §2.3 step 4); SDKs renew well before expiry (Node: 15 min), so only a device that stopped
 * renewing is cut.
 */
const scheduleExpiry: ConnectionStep = ({ core, connection }) => {
  const graceMs = core.deps.tokenExpiryGraceMs ?? 0;
  const remainingMs = connection.principal.expiresAtSeconds * 1000 + graceMs - core.deps.clock.now().getTime();
  // setTimeout overflows past ~24.8 days; such tokens are simply never cut while connected.
  if (remainingMs > 2_147_000_000) return undefined;
  connection.expiryTimer = setTimeout(() => {
    core.deps.logger.info(`closing the connection: its SAS token expired ${graceMs} ms ago`, connection.client.id);
    connection.client.close();
  }, Math.max(0, remainingMs));
  connection.expiryTimer.unref();
  return undefined;
};

const wakeMethodCalls: ConnectionStep = ({ core, ctx, connection }) => {
  announceMethodReadiness(core, ctx, connection);
  return undefined;
};

const startC2d: ConnectionStep = ({ core, connection }) => {
  core.c2d?.onReady(connection);
  return undefined;
};

const markConnected: ConnectionStep = ({ core, connection }) => {
  markConnection(core, connection.owner, true, mqttTransportOf(connection.client));
  return undefined;
};

/** The `model-id` of the username becomes the twin's `modelId`; no model id clears it (checklist 4). */
const recordModelId: ConnectionStep = ({ core, ctx, connection }) => {
  void core.deps.twins.setModelId(connection.owner, connection.principal.modelId ?? '').catch((error: unknown) => {
    core.deps.logger.warn(`could not record model id: ${String(error)}`, ctx.correlationId);
  });
  return undefined;
};

const recordConnect: ConnectionStep = ({ core, connection }) => {
  const payload = `clean=${connection.client.clean}`;
  core.deps.tap.record({ deviceId: connection.owner.deviceId, direction: 'in', protocol: 'mqtt', ...webSocketFlag(connection.client), kind: 'connect', topic: 'CONNECT', status: 0, payload });
  return undefined;
};

/** After CONNACK 0, in order. */
export const READY_STEPS: readonly ConnectionStep[] = [trackConnection, claimIdentity, scheduleExpiry, wakeMethodCalls, startC2d, markConnected, recordModelId, recordConnect];

const stopExpiry: ConnectionStep = ({ connection }) => {
  clearTimeout(connection.expiryTimer);
  return undefined;
};

/** An unacknowledged C2D message stays queued. */
const releaseC2d: ConnectionStep = ({ core, connection }) => {
  core.c2d?.onDisconnect(connection);
  return undefined;
};

/**
 * Method calls sent to a connection that is gone can never be answered: they end now with 404 DeviceNotOnline
 * (unless a newer connection of the identity took over, which may still answer).
 */
const failMethodCalls: ConnectionStep = ({ core, connection }) => {
  if (core.connections.forDevice(connection.client.id)) return undefined;
  core.deps.methods?.connectionLost?.(connection.owner.deviceId, connection.owner.moduleId);
  return undefined;
};

const recordDisconnect: ConnectionStep = ({ core, connection }) => {
  core.deps.tap.record({ deviceId: connection.owner.deviceId, direction: 'in', protocol: 'mqtt', ...webSocketFlag(connection.client), kind: 'disconnect', topic: 'DISCONNECT', payload: '' });
  return undefined;
};

/** "Disconnected" only after the grace period, to absorb SAS-renewal reconnects (§6.2). */
const markDisconnected: ConnectionStep = ({ core, connection }) => {
  const grace = core.deps.disconnectGraceMs;
  if (grace <= 0) markConnection(core, connection.owner, false);
  else setTimeout(() => markConnection(core, connection.owner, false), grace).unref();
  return undefined;
};

/** After the connection ended (it is no longer tracked), in order. */
export const DISCONNECT_STEPS: readonly ConnectionStep[] = [stopExpiry, releaseC2d, failMethodCalls, recordDisconnect, markDisconnected];

/** aedes' `connackSent` with return code 0: the authenticated client becomes a tracked connection. */
export function onConnectionReady(core: GatewayCore, client: Client): void {
  const principal = core.principals.get(client);
  if (!principal) return;
  const connection = openConnection(core, client, principal);
  runSteps(READY_STEPS, { core, connection, ctx: mqttContext(core.deps.clock, identityOf(connection), 'device.connect') });
}

/** aedes' `clientDisconnect`. */
export function onConnectionEnded(core: GatewayCore, client: Client): void {
  const connection = core.connections.remove(client);
  if (!connection) return;
  runSteps(DISCONNECT_STEPS, { core, connection, ctx: mqttContext(core.deps.clock, identityOf(connection), 'device.disconnect') });
}

/** A connection with the subscriptions its durable session restored (clean=false). */
function openConnection(core: GatewayCore, client: Client, principal: DevicePrincipal): DeviceConnection {
  const restored = client.clean ? [] : core.deps.sessions.get(client.id).map((sub) => sub.topic);
  const owner = principal.moduleId === undefined ? { deviceId: principal.deviceId } : { deviceId: principal.deviceId, moduleId: principal.moduleId };
  const { maxOutgoingBytes: maxBytes, maxOutgoingMessages: maxMessages } = core.limits;
  return {
    client,
    principal,
    owner,
    subscriptions: new Set(restored.filter((topic) => isAllowedSubscription(topic, principal))),
    outbox: { messages: 0, maxBytes, maxMessages },
  };
}

/** Connection state of the device, or of the module for `<device>/<module>` clients. */
function markConnection(core: GatewayCore, owner: DeviceConnection['owner'], connected: boolean, transport?: DeviceTransport): void {
  if (connected) core.deps.connections.connected(owner, transport);
  else core.deps.connections.disconnected(owner);
}
