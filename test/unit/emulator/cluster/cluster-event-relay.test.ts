import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { ClusterEventRelay } from '../../../../emulator/cluster/cluster-event-relay.js';
import { noopLogger } from '../../../../emulator/logger.js';
import type { HubEvent, HubEventInput } from '../../../../emulator/model/hub-event.js';
import type { EventLogPort } from '../../../../emulator/services/event-hub-service.js';
import { startRedisServer, type RedisServer } from '../../../helpers/redis-server.js';
import { eventually } from '../../../helpers/wait-for.js';

/** An in-memory event log: what the relay appended, in order. */
function memoryLog(): EventLogPort & { readonly appended: HubEventInput[] } {
  const appended: HubEventInput[] = [];
  return {
    appended,
    partitionCount: 4,
    append: async (inputs) => {
      appended.push(...inputs);
      return inputs.map((input, index) => ({ ...input, sequenceNumber: appended.length - inputs.length + index, offset: '0' }) as HubEvent);
    },
    events: () => [],
    state: () => ({ beginSequenceNumber: 0, lastSequenceNumber: -1, lastOffset: '-1', lastEnqueuedTime: 0, empty: true }),
    onAppended: () => () => undefined,
  };
}

const telemetry = (deviceId: string, source = 'Telemetry'): HubEventInput => ({
  partition: 1, enqueuedTime: 1_764_600_000_000, body: Buffer.from('{}').toString('base64'), properties: { messageId: 'm1' },
  annotations: { 'iothub-connection-device-id': deviceId, 'iothub-message-source': source }, application: { kind: 'reading', empty: null },
});

describe('cluster event relay (real redis-server)', () => {
  let redis: RedisServer;
  let client: Redis;

  beforeAll(async () => {
    redis = await startRedisServer({ appendfsync: 'everysec' });
    client = new Redis(redis.url);
  }, 30_000);

  afterAll(async () => {
    client?.disconnect();
    await redis?.stop();
  });

  it('passes events of one node to the other, keeps twin change events local, and skips what is not a list of events', async () => {
    const logA = memoryLog();
    const logB = memoryLog();
    const a = new ClusterEventRelay(logA, { url: redis.url, prefix: 'relay-test', nodeId: 'a', logger: noopLogger });
    const b = new ClusterEventRelay(logB, { url: redis.url, prefix: 'relay-test', nodeId: 'b', logger: noopLogger });
    await a.start();
    await b.start();
    try {
      await a.append([telemetry('d1'), telemetry('d1', 'twinChangeEvents')]);
      // Another writer's entries: garbage, a partition the log does not have, and a `__proto__` property key.
      await client.xadd('{relay-test}:events', '*', 'node', 'x', 'events', 'not json');
      await client.xadd('{relay-test}:events', '*', 'node', 'x', 'events', JSON.stringify([{ ...telemetry('d2'), partition: 9 }]));
      await client.xadd('{relay-test}:events', '*', 'node', 'x', 'events', `[${JSON.stringify(telemetry('d3')).replace('"kind"', '"__proto__"')}]`);
      // Each node follows the stream on its own: wait for both.
      await eventually(() => logB.appended.length === 2 && b.stats.skipped === 2, 10_000, 'node b read the stream');
      await eventually(() => logA.appended.length === 3 && a.stats.skipped === 2, 10_000, 'node a read the stream');
      expect(logA.appended.map((event) => event.annotations['iothub-connection-device-id'])).toEqual(['d1', 'd1', 'd3']);
      expect(logB.appended.map((event) => [event.annotations['iothub-connection-device-id'], event.annotations['iothub-message-source']])).toEqual([['d1', 'Telemetry'], ['d3', 'Telemetry']]);
      const withProto = logB.appended[1] as HubEventInput;
      expect(Object.getPrototypeOf(withProto.application)).toBeNull();
      expect(Object.keys(withProto.application)).toEqual(['__proto__', 'empty']);
      expect(withProto.application.empty).toBeNull();
      expect(a.stats).toMatchObject({ relayed: 1, received: 1 });
    } finally {
      await a.close();
      await b.close();
    }
  }, 30_000);
});
