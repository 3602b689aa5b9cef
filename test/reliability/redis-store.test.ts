import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import type { IotHubError } from '../../emulator/errors/iothub-error.js';
import { RedisStore } from '../../emulator/store/redis-store.js';
import { StoreCorruptError } from '../../emulator/store/store-corrupt-error.js';
import type { CommittedBatch } from '../../emulator/store/store.js';
import { ChangeMaker, jsonOf, reduce } from '../conformance/change-fixtures.js';
import { startRedisServer, type RedisServer } from '../helpers/redis-server.js';
import { eventually } from '../helpers/wait-for.js';

// The Redis store beyond the conformance suite: several nodes on one Redis, stale writes, Redis faults and kills.
let server: RedisServer;
let admin: Redis;
let hubs = 0;
const stores: RedisStore[] = [];

beforeAll(async () => {
  server = await startRedisServer({ appendfsync: 'always' });
  admin = new Redis(server.url);
}, 30_000);
afterEach(async () => {
  for (const store of stores.splice(0)) await store.close().catch(() => undefined);
});
afterAll(async () => {
  admin.disconnect();
  await server.stop();
});

function node(prefix: string, nodeId: string, url = server.url): RedisStore {
  const store = new RedisStore({ url, prefix, nodeId, reduce, compactOnClose: false });
  stores.push(store);
  return store;
}

describe('RedisStore with several hub nodes', () => {
  it('keeps every node\'s committed state and observers following the writes of the others', async () => {
    const prefix = `hub-${++hubs}`;
    const a = node(prefix, 'a');
    const b = node(prefix, 'b');
    const stateA = await a.open();
    const stateB = await b.open();
    const seenByB: CommittedBatch[] = [];
    b.onCommitted((batch) => seenByB.push(batch));
    const maker = new ChangeMaker();
    await a.append([maker.devicePut('d1')]);
    await a.append([maker.reported({ deviceId: 'd1' }, { t: 1 })]);
    await eventually(() => stateB.devices.d1?.twin.version === 2, 10_000, 'node b applied node a\'s writes');
    expect(jsonOf(stateB)).toEqual(jsonOf(stateA));
    expect(seenByB.map((batch) => batch.seq)).toEqual([1, 2]);
    // b writes on top of what it read from a; a follows.
    await b.append([maker.reported({ deviceId: 'd1' }, { t: 2 })]);
    await eventually(() => stateA.devices.d1?.twin.version === 3, 10_000, 'node a applied node b\'s write');
    expect(stateA.devices.d1?.twin.reported.data).toEqual({ t: 2 });
  });

  it('rejects a stale write (another node replaced the record first) with 503 and a rollback, and catches up', async () => {
    const prefix = `hub-${++hubs}`;
    const a = node(prefix, 'a');
    const b = node(prefix, 'b');
    await a.open();
    const stateB = await b.open();
    const maker = new ChangeMaker();
    await a.append([maker.devicePut('d1'), maker.devicePut('d2')]);
    await eventually(() => stateB.devices.d2 !== undefined, 10_000, 'node b has d1 and d2');
    const rollbacks: string[] = [];
    b.onRollback(() => rollbacks.push('b'));
    // Both nodes plan version 2 of d1 against the same state; Redis takes exactly one of them.
    const fromA = maker.reported({ deviceId: 'd1' }, { by: 'a' });
    const fromB = { ...fromA, reported: { mode: 'merge' as const, patch: { by: 'b' } } };
    const results = await Promise.allSettled([a.append([fromA]), b.append([fromB])]);
    const rejected = results.filter((result) => result.status === 'rejected');
    expect(rejected).toHaveLength(1);
    expect(((rejected[0] as PromiseRejectedResult).reason as IotHubError).httpStatus).toBe(503);
    const winner = results[0]?.status === 'fulfilled' ? 'a' : 'b';
    if (winner === 'a') expect(rollbacks).toEqual(['b']);
    // Both nodes end with the winner's version 2 and nothing of the loser's.
    await eventually(() => stateB.devices.d1?.twin.version === 2, 10_000, 'node b caught up');
    expect(stateB.devices.d1?.twin.reported.data).toEqual({ by: winner });
    // A write to another record, planned at the same old state, is not stale.
    await b.append([maker.reported({ deviceId: 'd2' }, { fine: true })]);
    expect(stateB.devices.d2?.twin.reported.data).toEqual({ fine: true });
  });

  it('never rejects concurrent writes of different records from different nodes', async () => {
    const prefix = `hub-${++hubs}`;
    const [a, b, c] = ['a', 'b', 'c'].map((id) => node(prefix, id)) as [RedisStore, RedisStore, RedisStore];
    const states = await Promise.all([a.open(), b.open(), c.open()]);
    const maker = new ChangeMaker();
    await a.append(Array.from({ length: 30 }, (_, i) => maker.devicePut(`d${i}`)));
    await eventually(() => states.every((state) => Object.keys(state.devices).length === 30), 10_000, 'every node has 30 devices');
    const nodes = [a, b, c];
    await Promise.all(
      Array.from({ length: 90 }, (_, i) => (nodes[i % 3] as RedisStore).append([maker.reported({ deviceId: `d${i % 30}` }, { round: Math.floor(i / 30) })])),
    );
    // i, i + 30 and i + 60 have the same i % 3: each device is written three times by one node, and the nodes'
    // records never overlap, so none of the 90 concurrent writes may be rejected.
    await eventually(() => states.every((state) => Object.values(state.devices).every((device) => device.twin.version === 4)), 15_000, 'every write applied everywhere');
    expect(jsonOf(states[1])).toEqual(jsonOf(states[0]));
    expect(jsonOf(states[2])).toEqual(jsonOf(states[0]));
  });
});

describe('RedisStore faults', () => {
  it('on a write Redis refuses (out of memory) calls onRollback, rejects with 503, and recovers', async () => {
    const prefix = `hub-${++hubs}`;
    const store = node(prefix, 'a');
    const state = await store.open();
    const maker = new ChangeMaker();
    await store.append([maker.devicePut('d1')]);
    const events: string[] = [];
    store.onRollback(() => events.push('rollback'));
    await admin.config('SET', 'maxmemory', '1');
    try {
      const results = await Promise.allSettled([store.append([maker.reported({ deviceId: 'd1' }, { lost: true })]), store.append([maker.devicePut('ghost')])]);
      for (const result of results) expect(((result as PromiseRejectedResult).reason as IotHubError).httpStatus).toBe(503);
    } finally {
      await admin.config('SET', 'maxmemory', '0');
    }
    expect(events).toEqual(['rollback']);
    expect(store.failure).toBeDefined();
    expect(state.devices.ghost).toBeUndefined();
    await store.append([maker.reported({ deviceId: 'd1' }, { kept: 1 })]);
    expect(store.failure).toBeUndefined();
    const live = jsonOf(state);
    await store.close();
    expect(jsonOf(await node(prefix, 'a').open())).toEqual(live);
  });

  it('refuses to open over a damaged snapshot or stream entry, naming the key, and leaves the data alone', async () => {
    const prefix = `hub-${++hubs}`;
    await admin.set(`{${prefix}}:snapshot`, '{"schemaVersion":2,"journalSeq":0,"devices":{}}');
    const error: unknown = await node(prefix, 'a').open().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreCorruptError);
    expect((error as Error).message).toContain(`{${prefix}}:snapshot`);
    expect(await admin.get(`{${prefix}}:snapshot`)).toBe('{"schemaVersion":2,"journalSeq":0,"devices":{}}');
    const other = `hub-${++hubs}`;
    await admin.xadd(`{${other}}:log`, '*', 'seq', '1', 'node', 'x', 'changes', '[{"kind":"devicePut","record":{"deviceId":7}}]');
    const damaged: unknown = await node(other, 'a').open().catch((e: unknown) => e);
    expect(damaged).toBeInstanceOf(StoreCorruptError);
    expect((damaged as Error).message).toContain(`{${other}}:log entry`);
    expect(await admin.xlen(`{${other}}:log`)).toBe(1);
  });
});

describe('RedisStore over a killed Redis', () => {
  it('keeps every acknowledged write when redis-server is killed (appendfsync always) and restarted', async () => {
    const own = await startRedisServer({ appendfsync: 'always' });
    try {
      const store = new RedisStore({ url: own.url, prefix: 'killed', nodeId: 'a', reduce, compactOnClose: false });
      const state = await store.open();
      const maker = new ChangeMaker();
      await store.append([maker.devicePut('d1')]);
      // Four writers append one write after the other until Redis is gone; Redis is killed mid-stream.
      const acknowledged: number[] = [];
      let next = 0;
      const writer = async () => {
        for (;;) {
          const i = next++;
          try {
            await store.append([maker.reported({ deviceId: 'd1' }, { i })]);
          } catch {
            return;
          }
          acknowledged.push(i);
        }
      };
      const writes = [writer(), writer(), writer(), writer()];
      await eventually(() => acknowledged.length >= 50, 20_000, '50 acknowledged writes');
      await own.stop({ hard: true, keepDir: true });
      await Promise.all(writes);
      expect(next - 4).toBeGreaterThan(acknowledged.length - 1);
      await store.close().catch(() => undefined);
      const last = Math.max(...acknowledged);
      // The view shows what the stream holds: every acknowledged write, and perhaps a later one Redis made durable
      // whose reply the kill cut off (the writers append in order of i on one connection).
      const seen = (state.devices.d1?.twin.reported.data as { i: number }).i;
      expect(seen).toBeGreaterThanOrEqual(last);
      const restarted = await startRedisServer({ appendfsync: 'always', dir: own.dir, port: own.port });
      try {
        const reopened = new RedisStore({ url: restarted.url, prefix: 'killed', nodeId: 'b', reduce, compactOnClose: false });
        const after = await reopened.open();
        // Every acknowledged write is there (a write cut by the kill may be there too: it was not acknowledged).
        expect(after.devices.d1?.twin.version).toBeGreaterThanOrEqual(acknowledged.length + 1);
        // What the view showed was durable (appendfsync always): it survives the restart.
        expect((after.devices.d1?.twin.reported.data as { i: number }).i).toBeGreaterThanOrEqual(seen);
        await reopened.close();
      } finally {
        await restarted.stop();
      }
    } finally {
      await own.stop();
    }
  }, 60_000);
});
