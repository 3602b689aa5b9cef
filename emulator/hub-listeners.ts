import type { IncomingMessage } from 'node:http';
import { createServer as createTcpServer, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';

import type { CertificateSet } from './certs/certificates.js';
import type { ResolvedConfig } from './config.js';
import type { AmqpServer } from './transports/amqp/amqp-server.js';
import { startAmqpsListener } from './transports/amqp/amqps-listener.js';
import { EVENT_HUBS_ONLY_OPTIONS } from './transports/amqp/connection-transport.js';
import type { ConnectionGuard } from './transports/connection-guard.js';
import { startHttpsListener, type RestHandler } from './transports/http/https-listener.js';
import { isErrno, listen, type BoundListener } from './transports/listen.js';
import type { MqttGateway } from './transports/mqtt/mqtt-gateway.js';
import { REQUEST_CLIENT_CERTIFICATE } from './transports/peer-certificate.js';

/** What the listeners serve. */
export interface ListenerDeps {
  readonly config: ResolvedConfig;
  readonly certs: CertificateSet;
  readonly gateway: MqttGateway;
  readonly amqp: AmqpServer;
  readonly rest: RestHandler;
  readonly guard: ConnectionGuard;
  /** Every listener started is pushed here at once, so a failure later in start-up can close it. */
  readonly listeners: BoundListener[];
}

/** The ports bound (null: off or not bindable) and the problems that did not stop the hub. */
export interface StartedListeners {
  readonly ports: { readonly mqtts: number; readonly https: number | null; readonly mqtt: number | null; readonly amqps: number | null; readonly amqpDev: number | null };
  readonly warnings: string[];
}

/**
 * Binds every listener of the hub (iothub-protocol.md §1): MQTT/TLS, HTTPS (REST and MQTT/AMQP over WebSockets),
 * optional plain MQTT, and AMQP/TLS. Each socket is admitted by the connection guard once its protocol completes
 * (MQTT CONNACK 0, AMQP open, the first HTTP request); the TLS handshake has the open timeout (wire-limits.ts).
 */
export async function startListeners(deps: ListenerDeps): Promise<StartedListeners> {
  const { config, certs, gateway, amqp, guard, listeners } = deps;
  // Devices may authenticate with an X.509 certificate on every TLS listener; SAS clients send none (peer-certificate.ts).
  const tls = { cert: certs.serverCertPem, key: certs.serverKeyPem, ...REQUEST_CLIENT_CERTIFICATE };
  const admit = (socket: { remoteAddress?: string; remotePort?: number; localPort?: number }) => guard.admit(socket);
  const guarded = (name: string) => ({ name, guard, logger: config.logger });
  const handle = (stream: Socket, request?: IncomingMessage) => gateway.handle(stream, request, () => admit(request?.socket ?? stream));
  const warnings: string[] = [];

  const tlsServer = createTlsServer({ ...tls, handshakeTimeout: config.limits.openTimeoutMs }, handle);
  const mqtts = await listen(tlsServer, config.ports.mqtts, config.bindAddress, guarded('mqtts'));
  listeners.push(mqtts);
  let https: number | null = null;
  if (config.ports.https !== null) {
    const started = await startHttpsListener({
      tls,
      port: config.ports.https,
      fallbackPort: config.ports.httpsFallback,
      host: config.bindAddress,
      webSockets: {
        mqtt: (stream, request) => gateway.handle(stream, request, () => admit(request.socket)),
        amqpwsb10: (stream, request) => amqp.handleWebSocket(stream, request, () => admit(request.socket)),
      },
      limits: config.limits,
      guard: guarded('https'),
      rest: deps.rest,
      clock: config.clock,
    });
    listeners.push(started);
    https = started.port;
    if (started.warning) warnings.push(started.warning);
  }
  let mqtt: number | null = null;
  if (config.ports.mqtt !== null) {
    const plain = await listen(createTcpServer(handle), config.ports.mqtt, config.bindAddress, guarded('mqtt'));
    listeners.push(plain);
    mqtt = plain.port;
  }
  const amqps = await startAmqps(deps, tls, guarded('amqps'), warnings);
  const amqpDev = await startAmqpDev(deps, guarded('amqp-dev'), warnings);
  return { ports: { mqtts: mqtts.port, https, mqtt, amqps, amqpDev }, warnings };
}

async function startAmqps(
  deps: ListenerDeps,
  tls: Parameters<typeof startAmqpsListener>[0]['tls'],
  guard: Parameters<typeof startAmqpsListener>[0]['guard'],
  warnings: string[],
): Promise<number | null> {
  const { config } = deps;
  if (config.ports.amqps === null) return null;
  try {
    const amqps = await startAmqpsListener({
      container: deps.amqp.container,
      tls,
      port: config.ports.amqps,
      host: config.bindAddress,
      handshakeTimeoutMs: config.limits.openTimeoutMs,
      maxOutgoingBytes: config.limits.maxOutgoingBytes,
      guard,
    });
    deps.listeners.push(amqps);
    return amqps.port;
  } catch (error) {
    if (!isErrno(error, 'EADDRINUSE') && !isErrno(error, 'EACCES')) throw error;
    warnings.push(
      `AMQP port ${config.ports.amqps} cannot be bound (${(error as NodeJS.ErrnoException).code}); C2D sends over amqps are off. ` +
        'The service SDK still reaches C2D with the AmqpWs transport on the HTTPS port.',
    );
    return null;
  }
}

/**
 * The Event Hubs development-emulator port (`PortConfig.amqpDev`): plain AMQP on loopback only, whatever the hub's
 * bind address, because tokens cross it unencrypted; its connections reach only the Event Hub-compatible endpoint.
 */
async function startAmqpDev(deps: ListenerDeps, guard: Parameters<typeof startAmqpsListener>[0]['guard'], warnings: string[]): Promise<number | null> {
  const port = deps.config.ports.amqpDev;
  if (port === null || port === undefined) return null;
  try {
    const listener = await startAmqpsListener({
      container: deps.amqp.container,
      port,
      host: '127.0.0.1',
      handshakeTimeoutMs: deps.config.limits.openTimeoutMs,
      maxOutgoingBytes: deps.config.limits.maxOutgoingBytes,
      guard,
      connectionOptions: EVENT_HUBS_ONLY_OPTIONS,
    });
    deps.listeners.push(listener);
    return listener.port;
  } catch (error) {
    if (!isErrno(error, 'EADDRINUSE') && !isErrno(error, 'EACCES')) throw error;
    warnings.push(`The Event Hubs development port ${port} cannot be bound (${(error as NodeJS.ErrnoException).code}); use the TLS Event Hubs connection string.`);
    return null;
  }
}
