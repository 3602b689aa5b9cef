import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';

import { toHttpError } from '../../errors/to-http.js';
import { routeNotFound } from '../../errors/catalogue.js';
import type { Clock } from '../../util/clock.js';
import { isErrno, listen, type BoundListener, type ListenGuard } from '../listen.js';
import { DEFAULT_WIRE_LIMITS, type WireLimits } from '../wire-limits.js';
import { createUpgradeHandler, type SubProtocolHandlers } from './websocket-upgrade.js';

/** Answers REST requests; until the REST API is mounted, every route is the hub's 404. */
export type RestHandler = (request: IncomingMessage, response: ServerResponse) => void;

/** Options of the 443 listener. */
export interface HttpsListenerOptions {
  /** Server certificate and key; `requestCert` asks clients for an X.509 certificate (device HTTPS, MQTT/WS). */
  readonly tls: { readonly cert: string; readonly key: string; readonly requestCert?: boolean; readonly rejectUnauthorized?: boolean };
  readonly port: number;
  readonly fallbackPort: number | null;
  readonly host: string;
  readonly webSockets: SubProtocolHandlers;
  readonly rest?: RestHandler;
  readonly clock: Clock;
  /** Timeouts (wire-limits.ts) and the guard that admits a socket at its first request. */
  readonly limits?: WireLimits;
  readonly guard?: ListenGuard;
}

/** The bound HTTPS listener, and a warning when it had to fall back from the wanted port. */
export interface HttpsListener extends BoundListener {
  readonly warning?: string;
}

/**
 * One HTTPS listener for REST and the WebSocket upgrade (iothub-protocol.md §1: port 443 multiplexes both).
 * If the port cannot be bound (EACCES without root, EADDRINUSE) it falls back to `fallbackPort` and says what that
 * costs, rather than crashing.
 */
export async function startHttpsListener(options: HttpsListenerOptions): Promise<HttpsListener> {
  const rest = options.rest ?? notFound(options.clock);
  const create = (): Server => {
    const { limits = DEFAULT_WIRE_LIMITS, guard } = options;
    // Slow or silent clients are closed (issue 11): the TLS handshake and the first request within the open timeout
    // (connection-guard.ts), headers and whole requests within their own, idle keep-alive connections after theirs.
    // Node checks headers/request timeouts every connectionsCheckingInterval (default 30 s): check every second.
    const server = createServer(
      {
        cert: options.tls.cert,
        key: options.tls.key,
        requestCert: options.tls.requestCert ?? false,
        rejectUnauthorized: options.tls.rejectUnauthorized ?? false,
        handshakeTimeout: limits.openTimeoutMs,
        headersTimeout: limits.httpHeadersTimeoutMs,
        requestTimeout: limits.httpRequestTimeoutMs,
        keepAliveTimeout: limits.httpKeepAliveTimeoutMs,
        connectionsCheckingInterval: Math.min(1000, limits.httpHeadersTimeoutMs),
      },
      rest,
    );
    // A REST request admits its socket; a WebSocket stays pending until MQTT's CONNACK or AMQP's open.
    server.on('request', (request: IncomingMessage) => guard?.guard.admit(request.socket));
    const upgrade = createUpgradeHandler(options.webSockets);
    server.on('upgrade', (request, socket, head) => upgrade.handleUpgrade(request, socket, head));
    server.on('close', () => upgrade.close());
    return server;
  };
  try {
    return await listen(create(), options.port, options.host, options.guard);
  } catch (error) {
    if (!isRecoverable(error) || options.fallbackPort === null) throw error;
    let bound: BoundListener;
    try {
      bound = await listen(create(), options.fallbackPort, options.host, options.guard);
    } catch (fallbackError) {
      // The fallback is taken too (a second hub, another app): any free port keeps REST and WebSockets usable.
      if (!isRecoverable(fallbackError)) throw fallbackError;
      bound = await listen(create(), 0, options.host, options.guard);
    }
    return { ...bound, warning: port443Warning(options.port, bound.port, error) };
  }
}

function isRecoverable(error: unknown): boolean {
  return isErrno(error, 'EACCES') || isErrno(error, 'EADDRINUSE');
}

function port443Warning(wanted: number, got: number, error: unknown): string {
  const reason = isErrno(error, 'EACCES') ? 'needs privileges' : 'is in use';
  return [
    `HTTPS port ${wanted} ${reason}; listening on ${got} instead.`,
    `The Azure service SDK (azure-iothub) and the device SDK's MqttWs/AmqpWs transports always dial ${wanted}, so they cannot reach this hub until it can bind ${wanted}.`,
    `Device MQTT over TLS (8883) and service C2D over amqps (5671) are unaffected; REST tools that take a port (curl, fetch) can use ${got}.`,
    reason === 'is in use'
      ? `Stop whatever holds ${wanted} (e.g. \`sudo lsof -i :${wanted}\`), then restart the hub.`
      : `To allow ${wanted} for a non-root user, run one of these and restart the hub:`,
    ...(reason === 'is in use'
      ? []
      : ['  sudo setcap cap_net_bind_service=+ep "$(readlink -f "$(which node)")"', '  sudo sysctl net.ipv4.ip_unprivileged_port_start=443']),
  ].join('\n');
}

function notFound(clock: Clock): RestHandler {
  return (request, response) => {
    const error = toHttpError(routeNotFound(request.method ?? 'GET', (request.url ?? '').split('?')[0] ?? ''), clock.now());
    response.writeHead(error.status, error.headers).end(error.body);
  };
}
