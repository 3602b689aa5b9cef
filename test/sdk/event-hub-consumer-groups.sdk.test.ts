import deviceSdk from 'azure-iot-device';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { armClient, RESOURCE_GROUP } from '../helpers/arm-client.js';
import { openDevice } from '../helpers/device-sdk.js';
import { readEvents } from '../helpers/event-hubs.js';
import { startTestHub, type TestHub } from '../helpers/start-hub.js';

// Consumer groups of the built-in endpoint, managed with the unmodified @azure/arm-iothub (`IotHubResource`) on the
// hub's HTTPS port and read independently with @azure/event-hubs; they survive a restart.

const GROUP = RESOURCE_GROUP;

let hub: TestHub;

beforeAll(async () => {
  hub = await startTestHub({ ports: { https: 0 } });
});

afterAll(async () => {
  await hub?.dispose();
});

describe('consumer groups of the built-in endpoint', () => {
  it('are created, listed and deleted through Resource Manager, and two groups read the same events independently', async () => {
    const arm = await armClient(hub.hub);
    const created = await arm.iotHubResource.createEventHubConsumerGroup(GROUP, 'localhost', 'events', 'analytics', { properties: { name: 'analytics' } });
    expect(created).toMatchObject({ name: 'analytics', type: 'Microsoft.Devices/IotHubs/EventHubEndpoints/ConsumerGroups' });
    const names: string[] = [];
    for await (const group of arm.iotHubResource.listEventHubConsumerGroups(GROUP, 'localhost', 'events')) names.push(group.name ?? '');
    expect(names).toEqual(['$Default', 'analytics']);

    await hub.hub.registry.create({ deviceId: 'cg-dev' });
    const device = await openDevice(hub.hub, 'cg-dev');
    try {
      await device.sendEvent(new deviceSdk.Message('{"n":1}'));
    } finally {
      await device.close();
    }
    for (const consumerGroup of ['$Default', 'analytics']) {
      const result = await readEvents(hub.hub, { consumerGroup, count: 1, timeoutMs: 6000 });
      expect(result.events?.map((event) => event.systemProperties?.['iothub-connection-device-id'])).toEqual(['cg-dev']);
    }

    await hub.hub.stop();
    await hub.hub.start();
    const again = await armClient(hub.hub);
    expect((await again.iotHubResource.getEventHubConsumerGroup(GROUP, 'localhost', 'events', 'ANALYTICS')).name).toBe('analytics');
    await again.iotHubResource.deleteEventHubConsumerGroup(GROUP, 'localhost', 'events', 'analytics');
    await expect(again.iotHubResource.getEventHubConsumerGroup(GROUP, 'localhost', 'events', 'analytics')).rejects.toMatchObject({ statusCode: 404 });
    const gone = await readEvents(hub.hub, { consumerGroup: 'analytics', count: 1, timeoutMs: 4000, stopOnError: true, noRetries: true });
    expect(gone.errors?.[0]?.message).toMatch(/consumer group 'analytics' does not exist/);
  });

  it('refuses a bad name, deleting $Default and another endpoint', async () => {
    const arm = await armClient(hub.hub);
    await expect(arm.iotHubResource.createEventHubConsumerGroup(GROUP, 'localhost', 'events', 'bad name!', { properties: { name: 'bad name!' } })).rejects.toMatchObject({ statusCode: 400 });
    await expect(arm.iotHubResource.deleteEventHubConsumerGroup(GROUP, 'localhost', 'events', '$Default')).rejects.toMatchObject({ statusCode: 400 });
    await expect(arm.iotHubResource.createEventHubConsumerGroup(GROUP, 'localhost', 'operationsMonitoringEvents', 'x', { properties: { name: 'x' } })).rejects.toMatchObject({ statusCode: 404 });
  });
});
