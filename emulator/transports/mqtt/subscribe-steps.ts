import type { Client, Subscription } from 'aedes';

import type { DevicePrincipal } from '../../services/device-authenticator.js';
import { c2dFilter } from './c2d-handler.js';
import type { DeviceConnection } from './device-connection.js';
import type { GatewayCore } from './gateway-core.js';
import { announceMethodReadiness } from './method-handler.js';
import { identityOf, mqttContext } from './mqtt-context.js';
import { runSteps, stop, type Step } from './steps.js';
import { isDeviceTopicFamily, isOwnSubscription } from './topics.js';
import { webSocketFlag } from './transport-of.js';

// SUBSCRIBE (aedes' `authorizeSubscribe` hook, once per filter): only the four device topic families, only the
// identity's own per-device topics, QoS at most 1; anything else gets SUBACK 0x80 (iothub-protocol.md §3.4).
// Then, on aedes' `subscribe` event, the granted filters are tracked and what waited for them starts.

/** One filter of a SUBSCRIBE on its way through {@link SUBSCRIBE_STEPS}. */
export interface SubscribeExchange {
  readonly principal: DevicePrincipal;
  /** The filter as granted so far. */
  granted: Subscription;
}

/** A SUBSCRIBE step; stopping (with null) refuses the filter. */
export type SubscribeStep = Step<SubscribeExchange, null>;

const allowTopicFamily: SubscribeStep = ({ granted }) => (isDeviceTopicFamily(granted.topic) ? undefined : stop(null));

const allowOwnTopics: SubscribeStep = ({ granted, principal }) => (isOwnSubscription(granted.topic, principal) ? undefined : stop(null));

/** IoT Hub grants QoS 2 as 1. */
const capQos: SubscribeStep = (exchange) => {
  if (exchange.granted.qos > 1) exchange.granted = { ...exchange.granted, qos: 1 };
  return undefined;
};

/** The SUBSCRIBE flow, in order. */
export const SUBSCRIBE_STEPS: readonly SubscribeStep[] = [allowTopicFamily, allowOwnTopics, capQos];

/** aedes' `authorizeSubscribe`: the granted subscription, or null for SUBACK 0x80. */
export function authorizeSubscribe(core: GatewayCore, client: Client, sub: Subscription): Subscription | null {
  const principal = core.principals.get(client);
  if (!principal) return null;
  const exchange: SubscribeExchange = { principal, granted: sub };
  const stopped = runSteps(SUBSCRIBE_STEPS, exchange);
  if (!stopped) return exchange.granted;
  core.deps.logger.info(`SUBSCRIBE '${sub.topic}' refused (${stopped.by})`, client.id);
  return null;
}

/** The granted filters of one SUBSCRIBE, after the SUBACK (aedes' `subscribe` event). */
export interface SubscribedExchange {
  readonly core: GatewayCore;
  readonly connection: DeviceConnection;
  readonly subs: readonly Subscription[];
}

type SubscribedStep = Step<SubscribedExchange, never>;

const trackSubscriptions: SubscribedStep = ({ connection, subs }) => {
  for (const sub of subs) if (!isRefused(sub)) connection.subscriptions.add(sub.topic);
  return undefined;
};

const wakeMethodCalls: SubscribedStep = ({ core, connection }) => {
  announceMethodReadiness(core, mqttContext(core.deps.clock, identityOf(connection), 'device.subscribe'), connection);
  return undefined;
};

const startC2d: SubscribedStep = ({ core, connection, subs }) => {
  if (subs.some((sub) => sub.topic === c2dFilter(connection.owner.deviceId))) core.c2d?.pump(connection);
  return undefined;
};

const recordSubscribe: SubscribedStep = ({ core, connection, subs }) => {
  core.deps.tap.record({
    deviceId: connection.owner.deviceId,
    direction: 'in',
    protocol: 'mqtt',
    ...webSocketFlag(connection.client),
    kind: 'subscribe',
    topic: 'SUBSCRIBE',
    payload: subs.map((sub) => `${sub.topic} → ${isRefused(sub) ? 'refused' : `QoS ${sub.qos}`}`).join('\n'),
  });
  return undefined;
};

/** What follows a SUBACK, in order. */
export const SUBSCRIBED_STEPS: readonly SubscribedStep[] = [trackSubscriptions, wakeMethodCalls, startC2d, recordSubscribe];

/** SUBACK 0x80: aedes reports a refused filter with qos 128, outside the QoS type. */
function isRefused(sub: Subscription): boolean {
  return (sub.qos as number) === 128;
}
