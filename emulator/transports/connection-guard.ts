import type { Server, Socket } from 'node:net';

import type { Logger } from '../logger.js';
import type { WireLimits } from './wire-limits.js';

/** What identifies a connection on both sides of TLS and WebSocket wrapping (the raw socket and the TLS socket agree). */
export interface SocketAddress {
  readonly remoteAddress?: string | undefined;
  readonly remotePort?: number | undefined;
  readonly localPort?: number | undefined;
}

interface Pending {
  readonly socket: Socket;
  readonly timer: NodeJS.Timeout;
}

/** How often the same warning may be logged per listener. */
const WARN_EVERY_MS = 10_000;

/**
 * Keeps unauthenticated sockets from exhausting the hub (issue 11, test/reliability/README.md): every accepted
 * socket is *pending* until the protocol admits it (MQTT CONNACK 0, AMQP open, first HTTP request); a pending socket
 * is closed after `openTimeoutMs`, and when a listener holds `maxPendingPerListener` of them the oldest is closed
 * to make room, so a flood of silent sockets costs an attacker a steady stream of new connections and never keeps
 * a device that completes its CONNECT out. `maxConnectionsPerListener` caps the rest. Sockets are matched by
 * address and port, which the raw socket, its TLS socket and a WebSocket's request share.
 */
export class ConnectionGuard {
  private readonly pending = new Map<string, Map<string, Pending>>();
  private readonly lastWarning = new Map<string, number>();

  constructor(
    private readonly limits: WireLimits,
    private readonly logger: Logger,
  ) {}

  /** Guards every socket `server` accepts; `name` is the listener's name in log lines. */
  attach(server: Server, name: string): void {
    const pending = new Map<string, Pending>();
    this.pending.set(name, pending);
    server.maxConnections = this.limits.maxConnectionsPerListener;
    server.on('drop', () => this.warn(name, `${name}: connection refused, ${this.limits.maxConnectionsPerListener} connections open (limits.maxConnectionsPerListener)`));
    server.on('connection', (socket: Socket) => this.track(name, pending, socket));
  }

  /** The client on this socket completed its protocol's opening: it is no longer subject to the open timeout. */
  admit(address: SocketAddress): void {
    const key = keyOf(address);
    if (key === undefined) return;
    for (const pending of this.pending.values()) {
      const entry = pending.get(key);
      if (!entry) continue;
      clearTimeout(entry.timer);
      pending.delete(key);
    }
  }

  /** Number of sockets waiting for admission on a listener (for tests and the status view). */
  pendingCount(name: string): number {
    return this.pending.get(name)?.size ?? 0;
  }

  private track(name: string, pending: Map<string, Pending>, socket: Socket): void {
    const key = keyOf(socket);
    if (key === undefined) return;
    if (pending.size >= this.limits.maxPendingPerListener) {
      const oldest = pending.entries().next().value;
      if (oldest) this.drop(pending, oldest[0], oldest[1]);
      this.warn(name, `${name}: ${this.limits.maxPendingPerListener} connections have not authenticated (limits.maxPendingPerListener); closing the oldest`);
    }
    const timer = setTimeout(() => {
      const entry = pending.get(key);
      if (entry) this.drop(pending, key, entry);
    }, this.limits.openTimeoutMs);
    timer.unref();
    pending.set(key, { socket, timer });
    socket.once('close', () => {
      const entry = pending.get(key);
      if (entry?.socket !== socket) return;
      clearTimeout(entry.timer);
      pending.delete(key);
    });
  }

  private drop(pending: Map<string, Pending>, key: string, entry: Pending): void {
    clearTimeout(entry.timer);
    pending.delete(key);
    entry.socket.destroy();
  }

  private warn(name: string, message: string): void {
    const now = Date.now();
    if (now - (this.lastWarning.get(name) ?? 0) < WARN_EVERY_MS) return;
    this.lastWarning.set(name, now);
    this.logger.warn(message);
  }
}

function keyOf(address: SocketAddress): string | undefined {
  const { remoteAddress, remotePort, localPort } = address;
  if (remoteAddress === undefined || remotePort === undefined) return undefined;
  return `${remoteAddress}|${remotePort}|${localPort ?? ''}`;
}
