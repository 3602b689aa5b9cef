import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';

import { AMQP_MAX_FRAME_BYTES, AmqpFrameSizeGuard } from './frame-guard.js';
import { boundOutgoing } from './outgoing-bound.js';

/**
 * The small WebSocket surface rhea's documented `websocket_accept` reads (`send`, `close`, `onmessage`, `onclose`,
 * `onerror`, `url`), built over the message stream the HTTPS listener hands to every sub-protocol handler
 * (`websocket-upgrade.ts`), so AMQP over WebSockets (`AMQPWSB10`) shares 443 with REST and MQTT.
 */
export interface RheaWebSocket {
  send(data: Uint8Array | Buffer, options?: unknown): void;
  close(): void;
  onmessage: ((event: { data: Buffer }) => void) | null;
  onclose: (() => void) | null;
  onerror: ((error: unknown) => void) | null;
  readonly url: string;
  /** Host the client addressed (HTTP `Host`), used to check the CBS token audience. */
  readonly requestHost: string | undefined;
}

export function adaptWebSocketStream(stream: Duplex, request: IncomingMessage, outgoing?: { maxBytes: number; graceMs: number }): RheaWebSocket {
  if (outgoing !== undefined) boundOutgoing(stream, outgoing.maxBytes, outgoing.graceMs, () => undefined);
  const socket: RheaWebSocket = {
    send: (data) => {
      stream.write(Buffer.from(data));
    },
    close: () => stream.end(),
    onmessage: null,
    onclose: null,
    onerror: null,
    url: `wss://${request.headers.host ?? 'hub'}${request.url ?? ''}`,
    requestHost: request.headers.host,
  };
  const frames = new AmqpFrameSizeGuard(AMQP_MAX_FRAME_BYTES);
  stream.on('data', (data: Buffer) => {
    // A frame past the advertised max-frame-size never reaches rhea (frame-guard.ts).
    if (frames.feed(data) !== undefined) {
      stream.destroy();
      return;
    }
    socket.onmessage?.({ data });
  });
  let closed = false;
  stream.on('close', () => {
    if (closed) return;
    closed = true;
    socket.onclose?.();
  });
  stream.on('error', (error) => socket.onerror?.(error));
  return socket;
}
