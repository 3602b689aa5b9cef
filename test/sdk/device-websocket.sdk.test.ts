import { readFile } from 'node:fs/promises';

import deviceSdk from 'azure-iot-device';
import mqttTransport from 'azure-iot-device-mqtt';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { nextDesired, updateReported } from '../helpers/device-sdk.js';
import { portForcingAgent } from '../helpers/port-agent.js';
import { startTestHub, type TestHub } from '../helpers/start-hub.js';
import { waitForSubscription } from '../helpers/wait-for.js';

describe('MQTT over WebSockets on the HTTPS listener (/$iothub/websocket)', () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startTestHub({ ports: { https: 0 } });
    await hub.hub.registry.create({ deviceId: 'ws-device' });
  });
  afterAll(async () => {
    await hub.dispose();
  });

  it('serves the real device SDK (MqttWs): GET, reported PATCH and a desired patch', async () => {
    const client = deviceSdk.Client.fromConnectionString(hub.hub.deviceConnectionString('ws-device').replace(/;GatewayHostName=[^;]+/, ''), mqttTransport.MqttWs);
    await client.setOptions({
      ca: await readFile(hub.hub.info.caCertPath, 'utf8'),
      mqtt: { webSocketAgent: portForcingAgent(hub.hub.info.ports.https ?? 0) },
    });
    await client.open();
    try {
      const twin = await client.getTwin();
      expect(twin.properties.desired.$version).toBe(1);
      expect(hub.hub.registry.connectedVia('ws-device')).toBe('mqtt-ws');
      expect(hub.hub.tap.snapshot().find((event) => event.deviceId === 'ws-device' && event.kind === 'connect')).toMatchObject({ protocol: 'mqtt', webSocket: true });
      await updateReported(twin, { over: 'websocket' });
      const received = nextDesired(twin, 2);
      await waitForSubscription(hub.hub, 'ws-device', '$iothub/twin/PATCH/properties/desired/#');
      await hub.hub.twins.updateTwin('ws-device', { properties: { desired: { via: 'wss' } } });
      expect(await received).toMatchObject({ via: 'wss', $version: 2 });
      const service = hub.hub.twins.getServiceTwin('ws-device') as { properties: { reported: Record<string, unknown> } };
      expect(service.properties.reported.over).toBe('websocket');
    } finally {
      await client.close();
    }
  });

  it('matches the sub-protocol case-insensitively and echoes it (the C SDK offers MQTT)', async () => {
    const ca = await readFile(hub.hub.info.caCertPath, 'utf8');
    const socket = new WebSocket(`wss://localhost:${hub.hub.info.ports.https}/$iothub/websocket`, ['MQTT'], { ca });
    const protocol = await new Promise<string>((resolve, reject) => {
      socket.once('open', () => resolve(socket.protocol));
      socket.once('error', reject);
    });
    expect(protocol).toBe('MQTT');
    socket.terminate();
  });

  it('refuses other paths and unknown sub-protocols', async () => {
    const ca = await readFile(hub.hub.info.caCertPath, 'utf8');
    const attempt = (path: string, protocols: string[]) =>
      new Promise<string>((resolve) => {
        const socket = new WebSocket(`wss://localhost:${hub.hub.info.ports.https}${path}`, protocols, { ca });
        socket.once('open', () => {
          socket.terminate();
          resolve('open');
        });
        socket.once('error', (error) => resolve(error.message));
      });
    expect(await attempt('/elsewhere', ['mqtt'])).toMatch(/404/);
    expect(await attempt('/$iothub/websocket', ['chat'])).not.toBe('open');
  });
});
