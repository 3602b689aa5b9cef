import type { Server } from 'node:net';
import type { Socket } from 'node:net';

import type { Logger } from '../logger.js';
import type { ConnectionGuard } from './connection-guard.js';

/** A bound listener and the port it got. */
export interface BoundListener {
  readonly server: Server;
  readonly port: number;
  close(): Promise<void>;
}

/** The guard of a listener: its name in log lines, the guard, and where accept errors (EMFILE) are logged. */
export interface ListenGuard {
  readonly name: string;
  readonly guard: ConnectionGuard;
  readonly logger: Logger;
}

/**
 * Binds a server and tracks its sockets so `close()` does not wait for idle keep-alive clients. `::` falls back to
 * 0.0.0.0 on machines without IPv6. Every socket gets TCP_NODELAY: the hub often writes two small packets in a row
 * (PUBACK, then the `res/204` of a QoS 1 reported patch); with Nagle on, the second waits for the client's delayed
 * ACK, ~40 ms per request on Linux (docs/benchmarks.md).
 */
export async function listen(server: Server, port: number, host: string, guard?: ListenGuard): Promise<BoundListener> {
  const sockets = new Set<Socket>();
  if (guard) guard.guard.attach(server, guard.name);
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.setNoDelay(true);
    socket.once('close', () => sockets.delete(socket));
  });
  try {
    await bind(server, port, host);
  } catch (error) {
    if (host !== '::' || !isErrno(error, 'EAFNOSUPPORT')) throw error;
    await bind(server, port, '0.0.0.0');
  }
  // An accept that fails (EMFILE when file descriptors run out) is an 'error' on the server; unhandled, it would
  // end the process.
  server.on('error', (error) => guard?.logger.error(`${guard.name}: ${error.message}`));
  const address = server.address();
  const boundPort = typeof address === 'object' && address !== null ? address.port : port;
  return {
    server,
    port: boundPort,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
  };
}

function bind(server: Server, port: number, host: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const onError = (error: Error) => reject(error);
    server.once('error', onError);
    server.listen({ port, host, ipv6Only: false }, () => {
      server.off('error', onError);
      resolve();
    });
  });
}

/** True when `error` is a Node system error with this code. */
export function isErrno(error: unknown, code: string): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === code;
}
