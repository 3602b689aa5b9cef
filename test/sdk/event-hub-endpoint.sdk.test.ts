import deviceSdk from 'azure-iot-device';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { openAmqpDevice } from '../helpers/amqp-device.js';
import { openDevice } from '../helpers/device-sdk.js';
import { readEvents } from '../helpers/event-hubs.js';
import { startTestHub, type TestHub } from '../helpers/start-hub.js';

// The built-in Event Hub-compatible endpoint (iothub-protocol-2.md §5) read with the unmodified @azure/event-hubs
// EventHubConsumerClient, with the connection string the hub gives (`Endpoint=sb://localhost:<port>/;…;EntityPath=…`).

let hub: TestHub;

beforeAll(async () => {
  hub = await startTestHub({ ports: { https: 0 }, fsync: true });
});

afterAll(async () => {
  await hub?.dispose();
});

function telemetry(body: string, messageId: string, properties: Record<string, string> = {}): InstanceType<typeof deviceSdk.Message> {
  const message = new deviceSdk.Message(body);
  message.messageId = messageId;
  message.contentType = 'application/json';
  message.contentEncoding = 'utf-8';
  for (const [key, value] of Object.entries(properties)) message.properties.add(key, value);
  return message;
}

describe('the Event Hub-compatible endpoint', () => {
  it('serves the hub and partition properties, and telemetry from MQTT and AMQP devices with IoT Hub\'s annotations', async () => {
    await hub.hub.registry.create({ deviceId: 'eh-mqtt' });
    await hub.hub.registry.create({ deviceId: 'eh-amqp' });
    const mqtt = await openDevice(hub.hub, 'eh-mqtt');
    const amqp = await openAmqpDevice(hub.hub, 'eh-amqp', 'Amqp');
    try {
      await mqtt.sendEvent(telemetry('{"t":21.5}', 'm-mqtt', { alert: 'high' }));
      await amqp.sendEvent(telemetry('{"t":22.5}', 'm-amqp'));
    } finally {
      await mqtt.close();
      await amqp.close();
    }
    const result = await readEvents(hub.hub, { properties: true, count: 2, timeoutMs: 10_000 });
    expect(result.failed).toBeUndefined();
    expect(result.hub).toMatchObject({ name: 'localhost', partitionIds: ['0', '1', '2', '3'] });
    const partitionOf = (deviceId: string) => String(hub.hub.eventHub.partitionOf(deviceId));
    const nonEmpty = (result.partitions ?? []).filter((partition) => !partition.isEmpty).map((partition) => partition.partitionId).sort();
    expect(nonEmpty).toEqual([...new Set([partitionOf('eh-mqtt'), partitionOf('eh-amqp')])].sort());
    const byId = new Map((result.events ?? []).map((event) => [event.messageId, event]));
    expect(byId.get('m-mqtt')).toMatchObject({
      body: { t: 21.5 },
      properties: { alert: 'high' },
      contentType: 'application/json',
      systemProperties: {
        'iothub-connection-device-id': 'eh-mqtt',
        'iothub-connection-auth-method': '{"scope":"device","type":"sas","issuer":"iothub","acceptingIpFilterRule":null}',
        'iothub-connection-auth-generation-id': hub.hub.registry.get('eh-mqtt').generationId,
        'iothub-message-source': 'Telemetry',
      },
    });
    expect(typeof byId.get('m-mqtt')?.systemProperties?.['iothub-enqueuedtime']).toBe('number');
    expect(byId.get('m-amqp')).toMatchObject({ body: { t: 22.5 }, systemProperties: { 'iothub-connection-device-id': 'eh-amqp' } });
  });

  it('starts where the consumer asks: from a sequence number, an enqueued time, or the latest event', async () => {
    await hub.hub.registry.create({ deviceId: 'eh-start' });
    const client = await openDevice(hub.hub, 'eh-start');
    try {
      for (let index = 0; index < 3; index += 1) {
        await client.sendEvent(telemetry(`{"n":${index}}`, `s-${index}`));
        // Distinct enqueue times (milliseconds), so "after s-1's time" means s-2 only.
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    } finally {
      await client.close();
    }
    const mine = (events: { messageId?: unknown }[] | undefined) => (events ?? []).map((event) => event.messageId).filter((id) => typeof id === 'string' && id.startsWith('s-'));
    const partition = hub.hub.eventHub.partitionOf('eh-start');
    const second = hub.hub.eventHub.events(partition).find((event) => event.properties.messageId === 's-1');
    expect(second).toBeDefined();
    const fromSequence = await readEvents(hub.hub, { count: 2, timeoutMs: 6000, startPosition: { sequenceNumber: second?.sequenceNumber, isInclusive: true } });
    expect(mine(fromSequence.events)).toEqual(['s-1', 's-2']);
    const fromTime = await readEvents(hub.hub, { count: 1, timeoutMs: 6000, startPosition: { enqueuedOn: new Date((second?.enqueuedTime ?? 0) + 0).toISOString() } });
    expect(mine(fromTime.events)).toEqual(['s-2']);
    const latest = await readEvents(hub.hub, { count: 1, timeoutMs: 2500, startPosition: { offset: '@latest' } });
    expect(latest.events).toEqual([]);
  });

  it('refuses a wrong key, a consumer group that does not exist and a start past the end', async () => {
    const wrongKey = hub.hub.eventHubConnectionString().replace(/SharedAccessKey=[^;]+/, `SharedAccessKey=${Buffer.alloc(32, 3).toString('base64')}`);
    const denied = await readEvents(hub.hub, { properties: true, timeoutMs: 3000, noRetries: true }, wrongKey);
    expect(denied.failed).toMatchObject({ code: 'UnauthorizedError' });
    const group = await readEvents(hub.hub, { consumerGroup: 'nobody', count: 1, timeoutMs: 4000, stopOnError: true, noRetries: true });
    expect(group.errors?.[0]?.message).toMatch(/consumer group 'nobody' does not exist/);
    const past = await readEvents(hub.hub, { count: 1, timeoutMs: 4000, stopOnError: true, noRetries: true, startPosition: { sequenceNumber: 1_000_000 } });
    expect(past.errors?.[0]?.message).toMatch(/sequence number '1000000' is invalid/);
  });

  it('keeps events across a restart, and numbers new ones after them', async () => {
    await hub.hub.registry.create({ deviceId: 'eh-durable' });
    const client = await openDevice(hub.hub, 'eh-durable');
    try {
      await client.sendEvent(telemetry('{"before":true}', 'd-1'));
    } finally {
      await client.close();
    }
    const partition = hub.hub.eventHub.partitionOf('eh-durable');
    const before = hub.hub.eventHub.state(partition);
    await hub.hub.stop();
    await hub.hub.start();
    expect(hub.hub.eventHub.state(partition)).toEqual(before);
    const again = await openDevice(hub.hub, 'eh-durable');
    try {
      await again.sendEvent(telemetry('{"after":true}', 'd-2'));
    } finally {
      await again.close();
    }
    const events = hub.hub.eventHub.events(partition).filter((event) => event.properties.messageId?.startsWith('d-'));
    expect(events.map((event) => event.properties.messageId)).toEqual(['d-1', 'd-2']);
    expect(events[1]?.sequenceNumber).toBe(before.lastSequenceNumber + 1);
  });
});
