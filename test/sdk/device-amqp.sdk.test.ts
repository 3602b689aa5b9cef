import deviceSdk from 'azure-iot-device';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { openAmqpDevice, type DeviceClient } from '../helpers/amqp-device.js';
import { nextDesired, updateReported } from '../helpers/device-sdk.js';
import { startTestHub, type TestHub } from '../helpers/start-hub.js';
import { eventually, waitForTraffic } from '../helpers/wait-for.js';

// The unmodified azure-iot-device over azure-iot-device-amqp (iothub-protocol-2.md §3): every device operation on
// AMQP/TLS and on AMQP over WebSockets, against one hub whose twin, C2D queue and method dispatcher MQTT shares.

type C2dMessage = Parameters<DeviceClient['complete']>[0];

let hub: TestHub;

beforeAll(async () => {
  hub = await startTestHub({ ports: { https: 0 } });
});

afterAll(async () => {
  await hub?.dispose();
});

/**
 * C2D messages as they arrive. The listener stays: the SDK detaches its C2D link when the last `message` listener
 * goes, and settling needs the link.
 */
function c2dInbox(client: DeviceClient): (timeoutMs?: number) => Promise<C2dMessage> {
  const arrived: C2dMessage[] = [];
  client.on('message', (message: C2dMessage) => arrived.push(message));
  return async (timeoutMs = 10_000) => {
    await eventually(() => arrived.length > 0, timeoutMs, 'a C2D message');
    return arrived.shift() as C2dMessage;
  };
}

/** The device's desired-notification subscription (PUT on its twin link) was answered. */
function desiredSubscribed(deviceId: string): Promise<unknown> {
  return waitForTraffic(hub.hub, (event) => event.deviceId === deviceId && event.protocol === 'amqp' && event.topic === 'twin PUT /notifications/twin/properties/desired → 200');
}

for (const transport of ['Amqp', 'AmqpWs'] as const) {
  describe(`device SDK over ${transport}`, () => {
    const id = (name: string) => `${transport.toLowerCase()}-${name}`;

    it('sends events with properties, content type and encoding as telemetry', async () => {
      await hub.hub.registry.create({ deviceId: id('events') });
      const client = await openAmqpDevice(hub.hub, id('events'), transport);
      try {
        const message = new deviceSdk.Message('{"t":21.5}');
        message.messageId = 'msg-1';
        message.correlationId = '6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b';
        message.contentType = 'application/json';
        message.contentEncoding = 'utf-8';
        message.properties.add('alert', 'high');
        await client.sendEvent(message);
        const [received] = hub.hub.telemetry.recent(id('events'));
        expect(received?.bodyPreview).toBe('{"t":21.5}');
        expect(received?.properties.system).toMatchObject({ mid: 'msg-1', cid: '6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b', ct: 'application/json', ce: 'utf-8', to: `/devices/${id('events')}/messages/events` });
        expect(received?.properties.application).toEqual({ alert: 'high' });
        expect(hub.hub.registry.runtime(id('events')).connectionState).toBe('Connected');
        expect(hub.hub.registry.connectedVia(id('events'))).toBe(transport === 'Amqp' ? 'amqp' : 'amqp-ws');
        const telemetry = hub.hub.tap.snapshot().find((event) => event.deviceId === id('events') && event.kind === 'telemetry');
        expect(telemetry).toMatchObject({ protocol: 'amqp', ...(transport === 'AmqpWs' ? { webSocket: true } : {}) });
      } finally {
        await client.close();
      }
      await eventually(() => hub.hub.registry.runtime(id('events')).connectionState === 'Disconnected', 5000, 'disconnected after close');
    });

    it('gets the twin, patches reported properties and hears desired changes with the same $versions as MQTT', async () => {
      await hub.hub.registry.create({ deviceId: id('twin') });
      await hub.hub.twins.updateTwin(id('twin'), { properties: { desired: { interval: 5 } } });
      const client = await openAmqpDevice(hub.hub, id('twin'), transport);
      try {
        const twin = await client.getTwin();
        expect(twin.properties.desired).toMatchObject({ interval: 5, $version: 2 });
        await updateReported(twin, { firmware: '1.2.3' });
        const service = hub.hub.twins.getServiceTwin(id('twin')) as { properties: { reported: Record<string, unknown> } };
        expect(service.properties.reported).toMatchObject({ firmware: '1.2.3', $version: 2 });
        const delta = nextDesired(twin, 3);
        await desiredSubscribed(id('twin'));
        await hub.hub.twins.updateTwin(id('twin'), { properties: { desired: { interval: 10 } } });
        expect(await delta).toEqual({ interval: 10, $version: 3 });
      } finally {
        await client.close();
      }
    });

    it('answers direct methods through the one dispatcher', async () => {
      await hub.hub.registry.create({ deviceId: id('methods') });
      const client = await openAmqpDevice(hub.hub, id('methods'), transport);
      try {
        client.onDeviceMethod('reboot', (request, response) => {
          void response.send(200, { delayed: (request.payload as { delay: number }).delay });
        });
        await eventually(() => hub.hub.methods !== undefined, 1000);
        const result = await hub.hub.methods.invoke({ deviceId: id('methods'), methodName: 'reboot', payload: { delay: 3 }, responseTimeoutInSeconds: 10, connectTimeoutInSeconds: 10 });
        expect(result).toEqual({ status: 200, payload: { delayed: 3 } });
      } finally {
        await client.close();
      }
    });

    it('receives C2D and settles it: complete removes, abandon redelivers with a higher count, reject dead-letters', async () => {
      const deviceId = id('c2d');
      await hub.hub.registry.create({ deviceId });
      const client = await openAmqpDevice(hub.hub, deviceId, transport);
      try {
        const next = c2dInbox(client);
        await hub.hub.sendC2D(deviceId, { body: 'first', messageId: 'c-1', properties: { color: 'red' }, ack: 'full' });
        let message = await next();
        expect(message.data.toString()).toBe('first');
        expect(message.messageId).toBe('c-1');
        expect(message.properties.getValue('color')).toBe('red');
        await client.complete(message);
        await eventually(() => hub.hub.c2d.pending(deviceId).length === 0, 5000, 'completed message removed');

        await hub.hub.sendC2D(deviceId, { body: 'second', messageId: 'c-2' });
        message = await next();
        await client.abandon(message);
        message = await next();
        expect(message.messageId).toBe('c-2');
        expect(hub.hub.c2d.pending(deviceId)[0]?.deliveryCount).toBe(2);
        await client.reject(message);
        await eventually(() => hub.hub.c2d.pending(deviceId).length === 0, 5000, 'rejected message dead-lettered');
      } finally {
        await client.close();
      }
    });
  });
}
