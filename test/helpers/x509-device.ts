import { readFile } from 'node:fs/promises';

import deviceSdk from 'azure-iot-device';
import httpTransport from 'azure-iot-device-http';
import mqttTransport from 'azure-iot-device-mqtt';
import mqtt, { type MqttClient } from 'mqtt';

import type { HubEmulator } from '../../emulator/index.js';
import type { DeviceClient } from './device-sdk.js';
import { portForcingAgent } from './port-agent.js';

/** The device transports that carry X.509 in these tests. */
export type X509Transport = 'Mqtt' | 'MqttWs' | 'Http';

/** A certificate and key (PEM) a device presents. */
export interface DeviceCredential {
  readonly certPem: string;
  readonly keyPem: string;
}

/**
 * `HostName=<host>[:port];DeviceId=<id>;x509=true`. The SDK ignores `GatewayHostName` for X.509 connection strings,
 * so for MQTT/TLS a test hub on ephemeral ports puts the port into `HostName` (the hub compares host names without
 * the port). MqttWs always appends `:443`; it reaches the test port through `webSocketAgent` ({@link portForcingAgent}).
 */
export function x509ConnectionString(hub: HubEmulator, deviceId: string, transport: X509Transport): string {
  const port = hub.info.ports.mqtts;
  const host = transport !== 'Mqtt' || port === 8883 ? hub.info.hostName : `${hub.info.hostName}:${port}`;
  return `HostName=${host};DeviceId=${deviceId};x509=true`;
}

/** A real `azure-iot-device` client with `x509=true` and the certificate given through `setOptions`, not yet open. */
export async function x509Client(hub: HubEmulator, deviceId: string, credential: DeviceCredential, transport: X509Transport): Promise<DeviceClient> {
  const Transport = transport === 'Http' ? httpTransport.Http : transport === 'Mqtt' ? mqttTransport.Mqtt : mqttTransport.MqttWs;
  const client = deviceSdk.Client.fromConnectionString(x509ConnectionString(hub, deviceId, transport), Transport);
  const webSocket = transport === 'MqttWs' ? { mqtt: { webSocketAgent: portForcingAgent(hub.info.ports.https ?? 0) } } : {};
  // The Http transport answers setOptions only when it carries receiver options (README, "Device transports").
  const http = transport === 'Http' ? { http: { receivePolicy: { interval: 1 } } } : {};
  await client.setOptions({ ca: await readFile(hub.info.caCertPath, 'utf8'), cert: credential.certPem, key: credential.keyPem, ...webSocket, ...http });
  return client;
}

/** Opens an X.509 device client (see {@link x509Client}). */
export async function openX509Device(hub: HubEmulator, deviceId: string, credential: DeviceCredential, transport: X509Transport = 'Mqtt'): Promise<DeviceClient> {
  const client = await x509Client(hub, deviceId, credential, transport);
  await client.open();
  return client;
}

/** The error name `open()` rejects with (e.g. `UnauthorizedError`), or 'connected' (the client is closed again). */
export async function openOutcome(hub: HubEmulator, deviceId: string, credential: DeviceCredential, transport: X509Transport = 'Mqtt'): Promise<string> {
  const client = await x509Client(hub, deviceId, credential, transport);
  try {
    await client.open();
    await client.close();
    return 'connected';
  } catch (error) {
    return (error as Error).name;
  }
}

/**
 * The CONNACK return code MQTT.js gets for a device CONNECT without password and with this certificate (0: accepted,
 * the client is closed again); `clientId` defaults to the device id (`<device>/<module>` for a module).
 */
export async function x509Connack(hub: HubEmulator, clientId: string, credential: DeviceCredential | undefined): Promise<number> {
  const client: MqttClient = mqtt.connect({
    host: '127.0.0.1',
    port: hub.info.ports.mqtts,
    protocol: 'mqtts',
    protocolVersion: 4,
    ca: await readFile(hub.info.caCertPath, 'utf8'),
    servername: 'localhost',
    clientId,
    username: `${hub.info.hostName}/${clientId}/?api-version=2021-04-12`,
    ...(credential ? { cert: credential.certPem, key: credential.keyPem } : {}),
    reconnectPeriod: 0,
    connectTimeout: 5000,
  });
  return new Promise((resolve) => {
    client.once('connect', () => {
      client.end(true);
      resolve(0);
    });
    client.once('error', (error) => {
      client.end(true);
      resolve((error as { code?: number }).code ?? -1);
    });
  });
}
