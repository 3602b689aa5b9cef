import type { Connection } from 'rhea';

import type { DeviceTransport } from '../../model/device.js';

/** The connection option that marks an AMQP connection accepted over WebSockets (rhea hides the socket). */
export const WEB_SOCKET_OPTION = 'twinStudioWebSocket';

/** AMQP over TLS or over WebSockets. */
export function amqpTransportOf(connection: Connection): DeviceTransport {
  return (connection.options as unknown as Record<string, unknown> | undefined)?.[WEB_SOCKET_OPTION] === true ? 'amqp-ws' : 'amqp';
}

/** The traffic-event field that marks an exchange on a WebSocket connection (absent otherwise). */
export function amqpWebSocketFlag(connection: Connection): { readonly webSocket?: true } {
  return amqpTransportOf(connection) === 'amqp-ws' ? { webSocket: true } : {};
}

/** The connection option that marks a connection of the plain development port (Event Hubs consumers only). */
const EVENT_HUBS_ONLY_OPTION = 'twinStudioEventHubsOnly';

/** Listener options whose connections may reach only the Event Hub-compatible endpoint (`PortConfig.amqpDev`). */
export const EVENT_HUBS_ONLY_OPTIONS: Readonly<Record<string, unknown>> = { [EVENT_HUBS_ONLY_OPTION]: true };

/** True for a connection of the plain development port: no device links, no C2D, no feedback there. */
export function isEventHubsOnly(connection: Connection): boolean {
  return (connection.options as unknown as Record<string, unknown> | undefined)?.[EVENT_HUBS_ONLY_OPTION] === true;
}
