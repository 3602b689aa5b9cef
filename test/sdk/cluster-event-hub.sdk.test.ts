import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';

import deviceSdk from 'azure-iot-device';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { openDevice, type DeviceClient } from '../helpers/device-sdk.js';
import { readEvents } from '../helpers/event-hubs.js';
import { startRedisServer, type RedisServer } from '../helpers/redis-server.js';
import { startTestHub, type TestHub } from '../helpers/start-hub.js';
import { eventually } from '../helpers/wait-for.js';

/**
 * The built-in Event Hub-compatible endpoint of a cluster (docs/cluster.md): telemetry a device sends to node a is
 * read by the unmodified `@azure/event-hubs` consumer from node b, and the other way round; each node's endpoint
 * numbers its partitions itself. Twin change events are routed by every node for itself, so none is doubled.
 */
describe('the Event Hub-compatible endpoint of a two-node cluster', () => {
  let redis: RedisServer;
  let dataDir: string;
  let a: TestHub;
  let b: TestHub;
  const devices: DeviceClient[] = [];

  beforeAll(async () => {
    redis = await startRedisServer({ appendfsync: 'everysec' });
    dataDir = await mkdtemp(join(tmpdir(), 'cluster-events-'));
    // Node a sets the routing (durable hub state, so node b gets it too): telemetry, twin changes and connection
    // events all go to the built-in endpoint.
    a = await startTestHub({
      store: redis.url, cluster: { nodeId: 'a' }, ports: { https: 0 },
      routing: {
        routes: [
          { name: 'telemetry', source: 'DeviceMessages', condition: 'true', endpointNames: ['events'], isEnabled: true },
          { name: 'twins', source: 'TwinChangeEvents', condition: 'true', endpointNames: ['events'], isEnabled: true },
          { name: 'connections', source: 'DeviceConnectionStateEvents', endpointNames: ['events'], isEnabled: true },
        ],
      },
    }, dataDir);
    b = await startTestHub({ store: redis.url, cluster: { nodeId: 'b' }, ports: { https: 0 } }, dataDir);
    await a.hub.registry.create({ deviceId: 'on-a' });
    await a.hub.registry.create({ deviceId: 'on-b' });
    await eventually(() => b.hub.registry.find('on-b') !== undefined, 10_000, 'node b sees the devices');
  }, 60_000);

  afterAll(async () => {
    await Promise.all(devices.map((device) => device.close().catch(() => undefined)));
    await b?.stop();
    await a?.stop();
    await redis?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('gives a consumer on either node the telemetry of devices on both nodes', async () => {
    const onA = await openDevice(a.hub, 'on-a');
    const onB = await openDevice(b.hub, 'on-b');
    devices.push(onA, onB);
    for (let n = 1; n <= 3; n++) {
      const message = new deviceSdk.Message(JSON.stringify({ n, from: 'a' }));
      message.messageId = `a-${n}`;
      message.properties.add('kind', 'reading');
      await onA.sendEvent(message);
    }
    const fromB = new deviceSdk.Message(JSON.stringify({ n: 1, from: 'b' }));
    fromB.messageId = 'b-1';
    await onB.sendEvent(fromB);

    for (const [name, node] of [['a', a], ['b', b]] as const) {
      // 4 telemetry events and the 2 devices' connection events.
      const result = await readEvents(node.hub, { count: 6, timeoutMs: 15_000, properties: true });
      expect(result.failed, name).toBeUndefined();
      const events = (result.events ?? []).filter((event) => event.systemProperties?.['iothub-message-source'] === 'Telemetry');
      const summary = events.map((event) => [event.messageId, event.systemProperties?.['iothub-connection-device-id'], (event.body as { from?: string }).from]);
      expect(summary.sort(), `read from node ${name}`).toEqual([['a-1', 'on-a', 'a'], ['a-2', 'on-a', 'a'], ['a-3', 'on-a', 'a'], ['b-1', 'on-b', 'b']]);
      const relayed = events.find((event) => event.messageId === 'a-2');
      expect(relayed?.properties).toMatchObject({ kind: 'reading' });
      expect(relayed?.systemProperties?.['iothub-message-source']).toBe('Telemetry');
    }
  }, 90_000);

  it('has every event once on each node: telemetry and connection events relayed, twin change events routed by each', async () => {
    await a.hub.twins.updateTwin('on-b', { tags: { floor: 3 } });
    const expected = { Telemetry: 4, deviceConnectionStateEvents: 2, twinChangeEvents: 1 };
    for (const node of [a, b]) await eventually(() => isDeepStrictEqual(sources(node), expected), 10_000, 'each node has every event once');
    expect(sources(a)).toEqual(expected);
    expect(sources(b)).toEqual(expected);
  }, 30_000);
});

/** Events on a node's built-in endpoint per `iothub-message-source`. */
function sources(node: TestHub): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const id of node.hub.eventHub.info.partitionIds) {
    for (const event of node.hub.eventHub.events(Number(id))) {
      const source = event.annotations['iothub-message-source'] ?? '';
      counts[source] = (counts[source] ?? 0) + 1;
    }
  }
  return counts;
}
