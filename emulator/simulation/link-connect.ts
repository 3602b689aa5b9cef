import { createSecureContext, type SecureContext } from 'node:tls';

import { connect, type IClientOptions, type MqttClient } from 'mqtt';

import { createSasToken } from '../client-kit.js';
import { systemClock } from '../util/clock.js';
import type { DeviceLinkOptions } from './device-link.js';

// Opening and closing the MQTT.js client of a device link (see device-link.ts for why MQTT.js).

const USER_AGENT = encodeURIComponent('twin-studio-simulation/0.1.0 (node; mqtt.js 5)');

/** Opens one MQTT.js client; resolves on CONNACK 0. */
export function connectClient(options: DeviceLinkOptions): Promise<{ client: MqttClient; sessionPresent: boolean }> {
  const client = connect(clientOptions(options));
  // MQTT.js can emit 'error' after end() (a TLS reset while closing); without a listener that would crash the process.
  client.on('error', () => undefined);
  // As the hub does (transports/listen.ts): no Nagle delay between small packets written back to back.
  (client.stream as { setNoDelay?: (noDelay: boolean) => void } | undefined)?.setNoDelay?.(true);
  return new Promise((resolve, reject) => {
    const fail = (error: Error) => {
      cleanup();
      client.end(true);
      reject(error);
    };
    const onError = (error: Error) => fail(new Error(`connect failed: ${error.message}`));
    const onClose = () => fail(new Error('connect failed: the connection closed before CONNACK'));
    const onConnect = (connack: { sessionPresent: boolean }) => {
      cleanup();
      resolve({ client, sessionPresent: connack.sessionPresent });
    };
    const cleanup = () => {
      client.off('error', onError);
      client.off('close', onClose);
      client.off('connect', onConnect);
    };
    client.on('error', onError);
    client.on('close', onClose);
    client.on('connect', onConnect);
  });
}

/** The CONNECT the Node SDK sends (sdk-notes.md §3), with a fresh SAS token. */
function clientOptions(options: DeviceLinkOptions): IClientOptions {
  const clock = options.clock ?? systemClock;
  const expiresAtSeconds = Math.floor(clock.now().getTime() / 1000) + (options.tokenValidSeconds ?? 3600);
  const modelId = options.modelId ? `&model-id=${options.modelId}` : '';
  return {
    protocol: 'mqtts',
    host: options.host,
    port: options.port,
    servername: options.hostName,
    ...(options.ca === undefined ? {} : { secureContext: secureContextFor(options.ca) }),
    rejectUnauthorized: true,
    protocolVersion: 4,
    clientId: options.deviceId,
    username: `${options.hostName}/${options.deviceId}/?api-version=2021-04-12${modelId}&DeviceClientType=${USER_AGENT}`,
    password: createSasToken({
      resourceUri: `${options.hostName}/devices/${options.deviceId}`,
      base64Key: options.sharedAccessKey,
      expiresAtSeconds,
    }),
    clean: false,
    keepalive: 180,
    connectTimeout: options.connectTimeoutMs ?? 30_000,
    // Reconnects are the owner's decision (schedules, faults, backoff), as with the SDK's mqtt.js settings.
    reconnectPeriod: 0,
    // Nothing is queued while offline: a request made offline fails at once instead of surfacing minutes later.
    queueQoSZero: false,
    resubscribe: false,
  };
}

/** Graceful end (DISCONNECT); forced after 2 s so a half-dead socket cannot hold up a stop. */
export function endClient(client: MqttClient): Promise<void> {
  return new Promise<void>((resolve) => {
    const force = setTimeout(() => client.end(true, {}, () => resolve()), 2000);
    client.end(false, {}, () => {
      clearTimeout(force);
      resolve();
    });
  });
}

const secureContexts = new Map<string, SecureContext>();

/**
 * One TLS context per CA for all devices: passing `ca` instead makes Node parse the PEM and build a context on every
 * connection, about a millisecond of CPU each, which adds up when 10,000 devices connect.
 */
function secureContextFor(ca: string | Buffer): SecureContext {
  const key = ca.toString();
  let context = secureContexts.get(key);
  if (!context) {
    context = createSecureContext({ ca });
    secureContexts.set(key, context);
  }
  return context;
}
