import { readFile } from 'node:fs/promises';

import deviceSdk from 'azure-iot-device';
import amqpTransport from 'azure-iot-device-amqp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { portForcingAgent } from '../helpers/port-agent.js';
import { updateReported } from '../helpers/device-sdk.js';
import { startTestHub, type TestHub } from '../helpers/start-hub.js';

// X.509 over device AMQP (iothub-protocol-2.md §1.5, §3.2): with a certificate the Node SDK attaches its links without
// CBS; the hub authenticates the identity the link names by the connection's client certificate, over TLS and over
// WebSockets, with the same checks as MQTT.

let hub: TestHub;

beforeAll(async () => {
  hub = await startTestHub({ ports: { https: 0 } });
});

afterAll(async () => {
  await hub?.dispose();
});

/**
 * An `x509=true` client over Amqp or AmqpWs. The SDK ignores GatewayHostName for X.509, so the AMQP port goes into
 * HostName (the hub compares host names without the port); AmqpWs reaches the HTTPS port through webSocketAgent.
 */
async function open(deviceId: string, credential: { certPem: string; keyPem: string }, transport: 'Amqp' | 'AmqpWs'): Promise<InstanceType<typeof deviceSdk.Client>> {
  const host = transport === 'Amqp' ? `${hub.hub.info.hostName}:${hub.hub.info.ports.amqps}` : hub.hub.info.hostName;
  const client = deviceSdk.Client.fromConnectionString(`HostName=${host};DeviceId=${deviceId};x509=true`, amqpTransport[transport]);
  const webSocket = transport === 'AmqpWs' ? { amqp: { webSocketAgent: portForcingAgent(hub.hub.info.ports.https ?? 0) } } : {};
  await client.setOptions({ ca: await readFile(hub.hub.info.caCertPath, 'utf8'), cert: credential.certPem, key: credential.keyPem, ...webSocket });
  await client.open();
  return client;
}

async function credentialOf(created: { certPath: string; keyPath: string }): Promise<{ certPem: string; keyPem: string }> {
  return { certPem: await readFile(created.certPath, 'utf8'), keyPem: await readFile(created.keyPath, 'utf8') };
}

describe('X.509 devices over AMQP', () => {
  for (const transport of ['Amqp', 'AmqpWs'] as const) {
    it(`${transport}: a self-signed and a CA-signed device send telemetry and report, without CBS`, async () => {
      for (const mode of ['selfSigned', 'caSigned'] as const) {
        const deviceId = `x-amqp-${transport.toLowerCase()}-${mode}`;
        const created = await hub.hub.x509.create({ deviceId, mode });
        const client = await open(deviceId, await credentialOf(created), transport);
        try {
          await client.sendEvent(new deviceSdk.Message(`{"mode":"${mode}"}`));
          await updateReported(await client.getTwin(), { mode });
          expect(hub.hub.registry.connectedVia(deviceId)).toBe(transport === 'Amqp' ? 'amqp' : 'amqp-ws');
        } finally {
          await client.close();
        }
        expect(hub.hub.telemetry.recent(deviceId).map((message) => message.bodyPreview)).toEqual([`{"mode":"${mode}"}`]);
        const twin = hub.hub.twins.getServiceTwin(deviceId) as { properties: { reported: Record<string, unknown> } };
        expect(twin.properties.reported.mode).toBe(mode);
      }
    });
  }

  it('refuses another device\'s certificate with amqp:unauthorized-access, and nothing is stored', async () => {
    await hub.hub.x509.create({ deviceId: 'x-amqp-owner', mode: 'selfSigned' });
    const other = await hub.hub.x509.create({ deviceId: 'x-amqp-other', mode: 'selfSigned' });
    await expect(open('x-amqp-owner', await credentialOf(other), 'Amqp').then((client) => client.sendEvent(new deviceSdk.Message('x')))).rejects.toMatchObject({ name: 'UnauthorizedError' });
    expect(hub.hub.telemetry.recent('x-amqp-owner')).toEqual([]);
    expect(hub.hub.tap.snapshot().some((event) => event.deviceId === 'x-amqp-owner' && event.payload.includes('X.509 authentication'))).toBe(true);
  });
});
