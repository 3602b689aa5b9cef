import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';

import { createWebSocketStream, WebSocketServer } from 'ws';

/** The WebSocket path of IoT Hub for MQTT and AMQP (iothub-protocol.md §1). */
export const IOTHUB_WEBSOCKET_PATH = '/$iothub/websocket';

/** Handlers per WebSocket sub-protocol, keyed in lower case (`mqtt`, `amqpwsb10`). */
export type SubProtocolHandlers = Readonly<Record<string, (stream: Duplex, request: IncomingMessage) => void>>;

/**
 * Accepts upgrades on `/$iothub/websocket` and dispatches on `Sec-WebSocket-Protocol`, matched case-insensitively
 * and echoed as offered (the C SDK sends `MQTT`, Node `mqtt`; sdk-notes.md §6.13). Anything else is refused.
 */
export function createUpgradeHandler(handlers: SubProtocolHandlers) {
  const wss = new WebSocketServer({
    noServer: true,
    handleProtocols: (offered) => {
      for (const protocol of offered) if (handlers[protocol.toLowerCase()]) return protocol;
      return false;
    },
  });
  return {
    handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
      const path = (request.url ?? '').split('?')[0];
      if (path !== IOTHUB_WEBSOCKET_PATH) {
        socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
        return;
      }
      wss.handleUpgrade(request, socket, head, (ws) => {
        const handler = handlers[ws.protocol.toLowerCase()];
        if (!handler) {
          ws.close(1002, 'unsupported sub-protocol');
          return;
        }
        handler(createWebSocketStream(ws), request);
      });
    },
    close(): void {
      for (const client of wss.clients) client.terminate();
      wss.close();
    },
  };
}
