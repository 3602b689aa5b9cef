import { readFile } from 'node:fs/promises';

import deviceSdk from 'azure-iot-device';
import mqttTransport from 'azure-iot-device-mqtt';

import type { HubEmulator } from '../../emulator/index.js';

/** The real `azure-iot-device` client type. */
export type DeviceClient = InstanceType<typeof deviceSdk.Client>;
/** The real SDK twin type. */
export type DeviceTwin = Awaited<ReturnType<DeviceClient['getTwin']>>;

/**
 * Opens a real `azure-iot-device` client over `azure-iot-device-mqtt` (MQTT/TLS) to the test hub, trusting the
 * hub's CA through `setOptions({ca})` exactly as the README tells users to.
 */
export async function openDevice(hub: HubEmulator, deviceId: string, transport: 'Mqtt' | 'MqttWs' = 'Mqtt'): Promise<DeviceClient> {
  const connectionString = hub.deviceConnectionString(deviceId);
  const Transport = transport === 'Mqtt' ? mqttTransport.Mqtt : mqttTransport.MqttWs;
  const client = deviceSdk.Client.fromConnectionString(connectionString, Transport);
  await client.setOptions({ ca: await readFile(hub.info.caCertPath, 'utf8') });
  await client.open();
  return client;
}

/** Promise form of `twin.properties.reported.update`. */
export function updateReported(twin: DeviceTwin, patch: object): Promise<void> {
  return new Promise((resolve, reject) => {
    twin.properties.reported.update(patch, (error?: Error) => (error ? reject(error) : resolve()));
  });
}

/** Resolves with the first desired-properties delta whose `$version` is at least `minVersion`. */
export function nextDesired(twin: DeviceTwin, minVersion: number, timeoutMs = 10_000): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      twin.removeListener('properties.desired', listener);
      reject(new Error(`no desired patch with $version >= ${minVersion} within ${timeoutMs} ms`));
    }, timeoutMs);
    const listener = (delta: Record<string, unknown>) => {
      if (typeof delta.$version === 'number' && delta.$version >= minVersion) {
        clearTimeout(timer);
        twin.removeListener('properties.desired', listener);
        resolve(delta);
      }
    };
    twin.on('properties.desired', listener);
  });
}

/**
 * Closes every client, waiting at most `ms` for each: a client the hub refused or dropped may still be in the SDK's
 * reconnect backoff, and its close would wait for that.
 */
export async function closeClientsWithin(clients: readonly DeviceClient[], ms = 5000): Promise<void> {
  await Promise.all(clients.map((client) => Promise.race([client.close().catch(() => undefined), new Promise((resolve) => setTimeout(resolve, ms))])));
}
