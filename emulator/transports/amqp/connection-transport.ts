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
