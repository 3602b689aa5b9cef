import { readFile } from 'node:fs/promises';

import deviceSdk from 'azure-iot-device';
import amqpTransport from 'azure-iot-device-amqp';

import type { HubEmulator } from '../../emulator/index.js';
import { portForcingAgent } from './port-agent.js';

/** The real `azure-iot-device` client type. */
export type DeviceClient = InstanceType<typeof deviceSdk.Client>;
export type ModuleClient = InstanceType<typeof deviceSdk.ModuleClient>;

/**
 * A device or module connection string for AMQP: over TLS the SDK dials `amqps://<GatewayHostName>`, so the gateway
 * names the test hub's AMQP port; over WebSockets it dials the host on 443 (redirected by `portForcingAgent`).
 */
export function amqpConnectionString(hub: HubEmulator, deviceId: string, transport: 'Amqp' | 'AmqpWs', moduleId?: string): string {
  const base = (moduleId === undefined ? hub.deviceConnectionString(deviceId) : hub.moduleConnectionString(deviceId, moduleId)).replace(/;GatewayHostName=[^;]+/, '');
  return transport === 'Amqp' ? `${base};GatewayHostName=${hub.info.hostName}:${hub.info.ports.amqps}` : base;
}

/** The options that make the real SDK trust the hub's CA and, for AmqpWs, reach its HTTPS port. */
export async function amqpOptions(hub: HubEmulator, transport: 'Amqp' | 'AmqpWs'): Promise<Record<string, unknown>> {
  const ca = await readFile(hub.info.caCertPath, 'utf8');
  return transport === 'Amqp' ? { ca } : { ca, amqp: { webSocketAgent: portForcingAgent(hub.info.ports.https ?? 0) } };
}

/** Opens the unmodified `azure-iot-device` client over `azure-iot-device-amqp` (Amqp or AmqpWs) to the test hub. */
export async function openAmqpDevice(hub: HubEmulator, deviceId: string, transport: 'Amqp' | 'AmqpWs' = 'Amqp', extra: Record<string, unknown> = {}): Promise<DeviceClient> {
  const client = deviceSdk.Client.fromConnectionString(amqpConnectionString(hub, deviceId, transport), amqpTransport[transport]);
  await client.setOptions({ ...(await amqpOptions(hub, transport)), ...extra });
  await client.open();
  return client;
}

/** Opens the unmodified `ModuleClient` over AMQP. */
export async function openAmqpModule(hub: HubEmulator, deviceId: string, moduleId: string, transport: 'Amqp' | 'AmqpWs' = 'Amqp'): Promise<ModuleClient> {
  const client = deviceSdk.ModuleClient.fromConnectionString(amqpConnectionString(hub, deviceId, transport, moduleId), amqpTransport[transport]);
  await client.setOptions(await amqpOptions(hub, transport));
  await client.open();
  return client;
}
