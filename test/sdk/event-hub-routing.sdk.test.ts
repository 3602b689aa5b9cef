import deviceSdk from 'azure-iot-device';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { openDevice, updateReported } from '../helpers/device-sdk.js';
import { readEvents, type ReceivedEvent } from '../helpers/event-hubs.js';
import { startTestHub, type TestHub } from '../helpers/start-hub.js';
import { eventually } from '../helpers/wait-for.js';

// Message routing to the built-in endpoint (iothub-protocol-2.md §6): conditions on application properties and on
// `$body`, no fallback, and the hub's own events (twin changes, lifecycle, connection state) with their documented
// shapes, all read with the unmodified @azure/event-hubs consumer.

let hub: TestHub;

beforeAll(async () => {
  hub = await startTestHub({
    ports: { https: 0 },
    routing: {
      fallbackEnabled: false,
      routes: [
        { name: 'alerts', source: 'DeviceMessages', condition: "alert = 'high'", endpointNames: ['events'], isEnabled: true },
        { name: 'hot', source: 'DeviceMessages', condition: '$body.temperature > 30', endpointNames: ['events'], isEnabled: true },
        { name: 'twins', source: 'TwinChangeEvents', condition: 'true', endpointNames: ['events'], isEnabled: true },
        { name: 'lifecycle', source: 'DeviceLifecycleEvents', endpointNames: ['events'], isEnabled: true },
        { name: 'connections', source: 'DeviceConnectionStateEvents', endpointNames: ['events'], isEnabled: true },
      ],
    },
  });
});

afterAll(async () => {
  await hub?.dispose();
});

function message(body: object, alert: string): InstanceType<typeof deviceSdk.Message> {
  const result = new deviceSdk.Message(JSON.stringify(body));
  result.contentType = 'application/json';
  result.contentEncoding = 'utf-8';
  result.properties.add('alert', alert);
  return result;
}

const ofDevice = (events: readonly ReceivedEvent[] | undefined, deviceId: string) =>
  (events ?? []).filter((event) => event.systemProperties?.['iothub-connection-device-id'] === deviceId);

describe('routing to the built-in endpoint', () => {
  it('delivers device messages that match a route (property or $body), each once, and drops the rest without a fallback', async () => {
    await hub.hub.registry.create({ deviceId: 'route-dev' });
    const device = await openDevice(hub.hub, 'route-dev');
    try {
      await device.sendEvent(message({ temperature: 20 }, 'low'));
      await device.sendEvent(message({ temperature: 20 }, 'high'));
      await device.sendEvent(message({ temperature: 35 }, 'low'));
      await device.sendEvent(message({ temperature: 40 }, 'high'));
    } finally {
      await device.close();
    }
    const telemetry = hub.hub.eventHub.events(hub.hub.eventHub.partitionOf('route-dev')).filter((event) => event.annotations['iothub-message-source'] === 'Telemetry');
    expect(telemetry.map((event) => JSON.parse(Buffer.from(event.body, 'base64').toString()) as { temperature: number })).toEqual([{ temperature: 20 }, { temperature: 35 }, { temperature: 40 }]);
    expect(hub.hub.routeHits()).toMatchObject({ alerts: 2, hot: 2 });
  });

  it('emits twin change, lifecycle and connection state events with IoT Hub\'s shapes', async () => {
    await hub.hub.registry.create({ deviceId: 'route-twin' });
    const device = await openDevice(hub.hub, 'route-twin');
    try {
      await updateReported(await device.getTwin(), { firmware: '2.0' });
      await hub.hub.twins.updateTwin('route-twin', { tags: { site: 'lab' }, properties: { desired: { interval: 5 } } });
    } finally {
      await device.close();
    }
    await eventually(() => hub.hub.registry.runtime('route-twin').connectionState === 'Disconnected', 5000, 'disconnected');
    const result = await readEvents(hub.hub, { count: 100, timeoutMs: 5000 });
    const events = ofDevice(result.events, 'route-twin').filter((event) => event.systemProperties?.['iothub-message-source'] !== 'Telemetry');
    const bySchema = (opType: string) => events.filter((event) => event.properties?.opType === opType);
    const [created] = bySchema('createDeviceIdentity');
    expect(created).toMatchObject({
      contentType: 'application/json',
      properties: { hubName: 'localhost', deviceId: 'route-twin', 'iothub-message-schema': 'deviceLifecycleNotification' },
      systemProperties: { 'iothub-message-source': 'deviceLifecycleEvents', 'iothub-connection-device-id': 'route-twin' },
      body: { deviceId: 'route-twin', version: 1, properties: { desired: { $version: 1 }, reported: { $version: 1 } } },
    });
    const updates = bySchema('updateTwin');
    expect(updates.map((event) => event.body)).toEqual([
      expect.objectContaining({ version: 2, properties: { reported: expect.objectContaining({ firmware: '2.0', $version: 2 }) as object } }),
      expect.objectContaining({ version: 3, tags: { site: 'lab' }, properties: { desired: expect.objectContaining({ interval: 5, $version: 2 }) as object } }),
    ]);
    expect(updates[0]?.systemProperties?.['iothub-message-source']).toBe('twinChangeEvents');
    const connected = bySchema('deviceConnected');
    const disconnected = bySchema('deviceDisconnected');
    expect(connected).toHaveLength(1);
    expect(disconnected).toHaveLength(1);
    const sequence = (event: ReceivedEvent | undefined) => (event?.body as { sequenceNumber: string }).sequenceNumber;
    expect(sequence(connected[0])).toMatch(/^[0-9A-F]{64}$/);
    expect(sequence(disconnected[0]) > sequence(connected[0])).toBe(true);
  });

  it('refuses to start with a malformed condition, naming the route and the position', async () => {
    const { startTestHub: start } = await import('../helpers/start-hub.js');
    await expect(start({ routing: { routes: [{ name: 'broken', source: 'DeviceMessages', condition: "alert = = 'x'", endpointNames: ['events'], isEnabled: true }] } })).rejects.toThrow(
      /route 'broken': condition "alert = = 'x'": Syntax error at position 8/,
    );
    await expect(start({ routing: { routes: [{ name: 'elsewhere', source: 'DeviceMessages', endpointNames: ['storage'], isEnabled: true }] } })).rejects.toThrow(/endpoint 'storage' does not exist/);
  });
});
