import type { Socket } from 'node:net';

import type { Container } from 'rhea';

import { isErrno, type BoundListener, type ListenGuard } from '../listen.js';
import { AMQP_MAX_FRAME_BYTES, AmqpFrameSizeGuard } from './frame-guard.js';
import { boundOutgoing } from './outgoing-bound.js';

/** Options of the AMQP/TLS listener (IoT Hub's `amqps://<host>:5671`), or of a plain AMQP listener without `tls`. */
export interface AmqpsListenerOptions {
  readonly container: Container;
  /**
   * Server certificate and key; `requestCert` asks devices for an X.509 certificate without requiring one. Absent:
   * plain TCP (only the Event Hubs development port, on loopback).
   */
  readonly tls?: { readonly cert: string; readonly key: string; readonly requestCert?: boolean; readonly rejectUnauthorized?: boolean };
  /** Options every connection of this listener carries (rhea passes listen options to its connections). */
  readonly connectionOptions?: Readonly<Record<string, unknown>>;
  readonly port: number;
  readonly host: string;
  /** The TLS handshake must finish within this time (also the guard's open timeout). */
  readonly handshakeTimeoutMs: number;
  readonly guard?: ListenGuard;
  /** The `max-frame-size` advertised and enforced (frame-guard.ts); 64 KiB when absent. */
  readonly maxFrameBytes?: number;
  /**
   * Bytes written to one connection and not yet taken by its peer before it is closed, after a grace of
   * `handshakeTimeoutMs` (outgoing-bound.ts).
   */
  readonly maxOutgoingBytes?: number;
}

/**
 * Binds rhea's documented TLS listener (`container.listen({transport: 'tls'})`) and tracks its sockets so
 * `close()` does not wait for idle service clients. `::` falls back to 0.0.0.0 without IPv6, like `listen.ts`.
 */
export async function startAmqpsListener(options: AmqpsListenerOptions): Promise<BoundListener> {
  try {
    return await bindOnce(options, options.host);
  } catch (error) {
    if (options.host !== '::' || !isErrno(error, 'EAFNOSUPPORT')) throw error;
    return bindOnce(options, '0.0.0.0');
  }
}

function bindOnce(options: AmqpsListenerOptions, host: string): Promise<BoundListener> {
  return new Promise<BoundListener>((resolve, reject) => {
    const tls = options.tls;
    const maxFrameBytes = options.maxFrameBytes ?? AMQP_MAX_FRAME_BYTES;
    const server = options.container.listen({
      ...options.connectionOptions,
      max_frame_size: maxFrameBytes,
      port: options.port,
      host,
      ...(tls
        ? {
            transport: 'tls',
            cert: tls.cert,
            key: tls.key,
            ...(tls.requestCert === undefined ? {} : { requestCert: tls.requestCert, rejectUnauthorized: tls.rejectUnauthorized ?? false }),
            handshakeTimeout: options.handshakeTimeoutMs,
          }
        : { transport: 'tcp' }),
    } as never);
    if (options.guard) options.guard.guard.attach(server, options.guard.name);
    server.on('error', (error: Error) => options.guard?.logger.error(`${options.guard.name}: ${error.message}`));
    // rhea attached its reader while this event was emitted; the frame guard goes in front of it.
    server.on(tls ? 'secureConnection' : 'connection', (socket: Socket) => {
      const frames = new AmqpFrameSizeGuard(maxFrameBytes);
      socket.prependListener('data', (chunk: Buffer) => {
        const violation = frames.feed(chunk);
        if (violation === undefined) return;
        options.guard?.logger.warn(`AMQP connection from ${socket.remoteAddress ?? '?'} closed: ${violation}`);
        socket.destroy();
      });
      if (options.maxOutgoingBytes !== undefined) {
        boundOutgoing(socket, options.maxOutgoingBytes, options.handshakeTimeoutMs, (buffered) =>
          options.guard?.logger.warn(`AMQP connection from ${socket.remoteAddress ?? '?'} closed: it does not read (${buffered} bytes waiting)`),
        );
      }
    });
    const sockets = new Set<Socket>();
    server.on('connection', (socket: Socket) => {
      sockets.add(socket);
      // TCP_NODELAY, as listen.ts gives every other listener: a disposition followed by a reply (a twin answer) would
      // otherwise wait for the client's delayed ACK, ~40 ms per request.
      socket.setNoDelay(true);
      socket.once('close', () => sockets.delete(socket));
    });
    server.once('error', reject);
    server.once('listening', () => {
      server.off('error', reject);
      const address = server.address();
      resolve({
        server,
        port: typeof address === 'object' && address !== null ? address.port : options.port,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            for (const socket of sockets) socket.destroy();
          }),
      });
    });
  });
}
