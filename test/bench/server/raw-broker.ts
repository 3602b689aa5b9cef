import type { AddressInfo, Socket } from 'node:net';
import { createServer, type Server } from 'node:tls';

import { Aedes } from 'aedes';

/** A bare Aedes broker on a TLS listener: the baseline the hub's MQTT side is compared with. */
export interface RawBroker {
  readonly port: number;
  readonly broker: Aedes;
  close(): Promise<void>;
}

/**
 * Aedes exactly as its README starts it (default in-memory persistence, no hooks, no authentication) behind the same
 * TLS setup as the hub: the hub's own server certificate and key, TCP_NODELAY on accepted sockets (as the hub's
 * listeners do; without it both would stall ~40 ms on delayed ACKs), loopback, the same Node. Whatever the hub costs
 * beyond this is IoT Hub semantics, authentication, durability and the traffic tap.
 */
export async function startRawBroker(tls: { cert: string; key: string }): Promise<RawBroker> {
  const broker = await Aedes.createBroker();
  const server: Server = createServer(tls, (socket) => broker.handle(socket));
  server.on('connection', (socket: Socket) => socket.setNoDelay(true));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    broker,
    close: async () => {
      await new Promise<void>((resolve) => broker.close(() => resolve()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
