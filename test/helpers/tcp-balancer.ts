import { createConnection, createServer, type Server, type Socket } from 'node:net';

/** A TCP load balancer for tests: each new connection goes to the first backend that accepts it, in order. */
export interface TcpBalancer {
  readonly port: number;
  /** The backend port of each connection made so far, in order. */
  readonly served: number[];
  close(): Promise<void>;
}

/** Listens on a free loopback port and forwards every connection to the first of `backends()` that answers. */
export async function startTcpBalancer(backends: () => readonly number[]): Promise<TcpBalancer> {
  const served: number[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.pause();
    const tryNext = (candidates: readonly number[]) => {
      const [port, ...rest] = candidates;
      if (port === undefined) {
        client.destroy();
        return;
      }
      const upstream = createConnection({ port, host: '127.0.0.1' });
      upstream.once('error', () => tryNext(rest));
      upstream.once('connect', () => {
        upstream.removeAllListeners('error');
        served.push(port);
        sockets.add(upstream);
        upstream.on('close', () => sockets.delete(upstream));
        client.pipe(upstream).pipe(client);
        client.resume();
        const end = () => {
          client.destroy();
          upstream.destroy();
        };
        client.on('error', end);
        upstream.on('error', end);
        client.on('close', end);
        upstream.on('close', end);
      });
    };
    tryNext(backends());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : 0,
    served,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
