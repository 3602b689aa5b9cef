import { readFile } from 'node:fs/promises';

import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';

import { createSasToken } from '../../emulator/auth/sas-token.js';
import type { HubEmulator } from '../../emulator/index.js';

/** Options for a hand-made device connection (sdk-notes.md §9). */
export interface RawDeviceOptions {
  readonly key?: string;
  readonly clientId?: string;
  readonly username?: string;
  readonly expiresInSeconds?: number;
  readonly clean?: boolean;
  readonly password?: string;
  /** Connect as this module of the device (its own key, client id `<device>/<module>`, iothub-protocol.md §3.6). */
  readonly moduleId?: string;
}

/** A SAS token for a device as the Node SDK makes it. */
export function deviceToken(hub: HubEmulator, deviceId: string, key: string, expiresInSeconds = 3600): string {
  return createSasToken({
    resourceUri: `${hub.info.hostName}/devices/${deviceId}`,
    base64Key: key,
    expiresAtSeconds: Math.floor(Date.now() / 1000) + expiresInSeconds,
  });
}

/** The MQTT.js options a device would use against the hub's TLS port. */
export async function rawDeviceOptions(hub: HubEmulator, deviceId: string, options: RawDeviceOptions = {}): Promise<IClientOptions> {
  if (options.moduleId !== undefined) return rawModuleOptions(hub, deviceId, options.moduleId, options);
  const key = options.key ?? hub.registry.get(deviceId).authentication.symmetricKey.primaryKey;
  return {
    host: '127.0.0.1',
    port: hub.info.ports.mqtts,
    protocol: 'mqtts',
    protocolVersion: 4,
    ca: await readFile(hub.info.caCertPath, 'utf8'),
    servername: 'localhost',
    clientId: options.clientId ?? deviceId,
    username: options.username ?? `${hub.info.hostName}/${deviceId}/?api-version=2021-04-12`,
    password: options.password ?? deviceToken(hub, deviceId, key, options.expiresInSeconds),
    clean: options.clean ?? false,
    reconnectPeriod: 0,
    connectTimeout: 5000,
  };
}

async function rawModuleOptions(hub: HubEmulator, deviceId: string, moduleId: string, options: RawDeviceOptions): Promise<IClientOptions> {
  const key = options.key ?? hub.modules.get(deviceId, moduleId).authentication.symmetricKey.primaryKey;
  const password = createSasToken({
    resourceUri: `${hub.info.hostName}/devices/${deviceId}/modules/${moduleId}`,
    base64Key: key,
    expiresAtSeconds: Math.floor(Date.now() / 1000) + (options.expiresInSeconds ?? 3600),
  });
  const base = await rawDeviceOptions(hub, deviceId, { ...options, moduleId: undefined, key, password });
  return { ...base, clientId: `${deviceId}/${moduleId}`, username: `${hub.info.hostName}/${deviceId}/${moduleId}/?api-version=2021-04-12` };
}

/** Connects MQTT.js as a device; rejects with the CONNACK error (its `code` is the return code). */
export async function connectRaw(hub: HubEmulator, deviceId: string, options: RawDeviceOptions = {}): Promise<MqttClient> {
  return (await connectRawWithConnack(hub, deviceId, options)).client;
}

/** Like connectRaw, also returning the CONNACK's session-present flag. */
export async function connectRawWithConnack(
  hub: HubEmulator,
  deviceId: string,
  options: RawDeviceOptions = {},
): Promise<{ client: MqttClient; sessionPresent: boolean }> {
  const client = mqtt.connect(await rawDeviceOptions(hub, deviceId, options));
  return new Promise((resolve, reject) => {
    client.once('connect', (connack) => resolve({ client, sessionPresent: connack.sessionPresent }));
    client.once('error', (error) => {
      client.end(true);
      reject(error);
    });
  });
}

/** A publish the device received. */
export interface Received {
  readonly topic: string;
  readonly payload: string;
  readonly qos: number;
}

/** Resolves with the next message whose topic matches `pattern`. */
export function nextMessage(client: MqttClient, pattern: RegExp, timeoutMs = 5000): Promise<Received> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      client.off('message', onMessage);
      reject(new Error(`no message matching ${pattern} within ${timeoutMs} ms`));
    }, timeoutMs);
    const onMessage = (topic: string, payload: Buffer, packet: { qos: number }) => {
      if (!pattern.test(topic)) return;
      clearTimeout(timer);
      client.off('message', onMessage);
      resolve({ topic, payload: payload.toString('utf8'), qos: packet.qos });
    };
    client.on('message', onMessage);
  });
}

/** Publishes a twin request and waits for the response with the same `$rid`. */
export async function twinRequest(client: MqttClient, topic: string, payload: string, rid: string): Promise<Received> {
  const escaped = rid.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const response = nextMessage(client, new RegExp(`^\\$iothub/twin/res/\\d+/\\?\\$rid=${escaped}(&|$)`));
  await client.publishAsync(topic, payload, { qos: 0 });
  return response;
}

/** Resolves when the server closes the connection. */
export function closedByServer(client: MqttClient, timeoutMs = 5000): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the server did not close the connection')), timeoutMs);
    client.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}
