import type { AmqpErrorCondition } from '../../../errors/to-amqp.js';

/**
 * The IoT Hub side of reading the built-in endpoint (iothub-protocol-2.md §5.3): a client connected to the *hub*
 * with an IoT Hub connection string attaches a receiver to `amqps://<hub host>/messages/events/$management` (or to a
 * partition under `messages/events/ConsumerGroups/…`), and the hub answers with the link error `amqp:link:redirect`
 * naming the Event Hub-compatible endpoint. Converters (the `@azure/event-hubs` sample `iothubConnectionString`, the
 * C# `EventHubConnectionStringBuilder` flow) read `info.hostname` and the entity out of `info.address` with the regex
 * `:\d+/(.*)/\$management`, so the address always carries a port.
 *
 * Here the endpoint is served by the same listener, so the redirect names this hub's host and AMQP port. When that
 * port is not 5671, `hostname` is `host:port`: the converters build `Endpoint=sb://<hostname>/`, and
 * `@azure/event-hubs` takes a port from the Endpoint, so the resulting connection string still reaches the hub.
 */
export interface RedirectTarget {
  /** Host name the endpoint is reached at (the hub's). */
  readonly host: string;
  /** The hub's AMQP/TLS port. */
  readonly port: number;
  /** The endpoint's entity path (EntityPath). */
  readonly entity: string;
}

const HUB_EVENTS = /^(?:amqps?:\/\/[^/]+)?\/?messages\/events(\/.*)?$/i;

/** The part after `messages/events` (`/$management`, `/ConsumerGroups/…`, or '') when `address` is the hub's events node. */
export function hubEventsPathOf(address: unknown): string | undefined {
  if (typeof address !== 'string') return undefined;
  const match = HUB_EVENTS.exec(address);
  return match ? (match[1] ?? '') : undefined;
}

/** The detach error that sends a reader of `messages/events<rest>` to the Event Hub-compatible endpoint. */
export function redirectTo(target: RedirectTarget, rest: string): AmqpErrorCondition {
  const hostname = target.port === 5671 ? target.host : `${target.host}:${target.port}`;
  const path = rest === '' ? '/$management' : rest;
  return {
    condition: 'amqp:link:redirect',
    description: `Read the built-in endpoint at sb://${hostname}/ with EntityPath=${target.entity}.`,
    info: {
      hostname,
      'network-host': target.host,
      port: target.port,
      address: `amqps://${target.host}:${target.port}/${target.entity}${path}`,
    },
  };
}
