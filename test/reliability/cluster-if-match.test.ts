import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { rest } from '../helpers/rest-client.js';
import { serviceTokenFor } from '../helpers/service-token.js';
import { startRedisServer, type RedisServer } from '../helpers/redis-server.js';
import { startTestHub, type TestHub } from '../helpers/start-hub.js';
import { eventually } from '../helpers/wait-for.js';

interface ServiceTwin {
  etag: string;
  version: number;
  properties: { desired: Record<string, unknown> & { $version: number } };
}

/**
 * Two cluster nodes write one twin at the same instant (docs/cluster.md, "Two nodes, one twin"): each node checks
 * If-Match against its own latest state, and the Redis store's Lua step rejects the write that was planned against a
 * state another node had already replaced; the losing node reads the winner's write and plans its write again. So,
 * as on one hub: with the same If-Match each round has exactly one 200 and one 412 (the hub's PreconditionFailed
 * envelope) and `$version` moves by one; without If-Match both writes apply and `$version` moves by two.
 */
describe('two cluster nodes, one twin, If-Match', () => {
  let redis: RedisServer;
  let dataDir: string;
  let a: TestHub;
  let b: TestHub;

  beforeAll(async () => {
    redis = await startRedisServer({ appendfsync: 'everysec' });
    dataDir = await mkdtemp(join(tmpdir(), 'cluster-ifmatch-'));
    const node = (nodeId: string) => startTestHub({ store: redis.url, cluster: { nodeId }, ports: { https: 0, amqps: null } }, dataDir);
    a = await node('a');
    b = await node('b');
    await a.hub.registry.create({ deviceId: 'shared' });
    await eventually(() => b.hub.registry.find('shared') !== undefined, 10_000, 'node b sees the device');
  }, 60_000);

  afterAll(async () => {
    await b?.stop();
    await a?.stop();
    await redis?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('accepts exactly one of two concurrent If-Match writes through different nodes, every round', async () => {
    const outcomes = new Map<number, number>();
    for (let round = 1; round <= 12; round++) {
      const before = (await rest(a.hub, { method: 'GET', path: '/twins/shared' })).json<ServiceTwin>();
      const patch = (by: string) => ({ method: 'PATCH', path: '/twins/shared', headers: { 'If-Match': `"${before.etag}"` }, body: { properties: { desired: { round, by } } } });
      const [fromA, fromB] = await Promise.all([rest(a.hub, patch('a')), rest(b.hub, patch('b'))]);
      const statuses = [fromA.status, fromB.status].sort();
      for (const status of statuses) outcomes.set(status, (outcomes.get(status) ?? 0) + 1);
      expect(statuses.filter((status) => status === 200), `round ${round}: ${statuses}`).toHaveLength(1);
      const loser = fromA.status === 200 ? fromB : fromA;
      expect(loser.status, `round ${round}`).toBe(412);
      // The hub's own 412: the envelope and header a single hub sends for a stale etag (as a later write with it gets).
      expect(loser.headers['iothub-errorcode']).toBe('PreconditionFailed');
      const stale = await rest(a.hub, patch('late'));
      expect(stale.status).toBe(412);
      expect(loser.json<{ Message: string }>().Message).toBe(stale.json<{ Message: string }>().Message);
      expect(loser.json<{ ExceptionMessage: string }>().ExceptionMessage).toMatch(/^Tracking ID:[0-9a-f]{32}-G:0-TimeStamp:/);
      const winner = fromA.status === 200 ? 'a' : 'b';
      // Node b follows the stream: it shows the round's write once it applied it.
      let after = (await rest(b.hub, { method: 'GET', path: '/twins/shared' })).json<ServiceTwin>();
      for (let tries = 0; after.version < before.version + 1 && tries < 200; tries++) {
        await new Promise((resolve) => setTimeout(resolve, 25));
        after = (await rest(b.hub, { method: 'GET', path: '/twins/shared' })).json<ServiceTwin>();
      }
      expect(after.properties.desired).toMatchObject({ round, by: winner, $version: before.properties.desired.$version + 1 });
      expect(after.version).toBe(before.version + 1);
    }
    expect(outcomes.get(200)).toBe(12);
    expect(outcomes.get(412)).toBe(12);
  }, 120_000);

  it('applies both of two concurrent writes without If-Match through different nodes, every round', async () => {
    for (let round = 1; round <= 12; round++) {
      const before = (await rest(a.hub, { method: 'GET', path: '/twins/shared' })).json<ServiceTwin>();
      const patch = (by: string) => ({ method: 'PATCH', path: '/twins/shared', body: { properties: { desired: { [`free${round}${by}`]: true } } } });
      const [fromA, fromB] = await Promise.all([rest(a.hub, patch('a')), rest(b.hub, patch('b'))]);
      expect([fromA.status, fromB.status], `round ${round}: ${fromA.text} ${fromB.text}`).toEqual([200, 200]);
      // Each answer is the twin its own write produced: consecutive versions, in either order.
      const versions = [fromA.json<ServiceTwin>().version, fromB.json<ServiceTwin>().version].sort((x, y) => x - y);
      expect(versions).toEqual([before.version + 1, before.version + 2]);
      let after = (await rest(a.hub, { method: 'GET', path: '/twins/shared' })).json<ServiceTwin>();
      for (let tries = 0; after.version < before.version + 2 && tries < 200; tries++) {
        await new Promise((resolve) => setTimeout(resolve, 25));
        after = (await rest(a.hub, { method: 'GET', path: '/twins/shared' })).json<ServiceTwin>();
      }
      expect(after.properties.desired).toMatchObject({ [`free${round}a`]: true, [`free${round}b`]: true, $version: before.properties.desired.$version + 2 });
    }
  }, 120_000);

  it('queues both of two concurrent cloud-to-device sends to one device through different nodes', async () => {
    const count = (node: TestHub) => node.hub.registry.runtime('shared').cloudToDeviceMessageCount;
    for (let round = 1; round <= 6; round++) {
      const before = count(a);
      await Promise.all([a.hub.sendC2D('shared', { body: `a${round}` }), b.hub.sendC2D('shared', { body: `b${round}` })]);
      await eventually(() => count(a) === before + 2 && count(b) === before + 2, 10_000, `round ${round}: both nodes see both messages`);
    }
  }, 60_000);

  it('updates a configuration made on another node, and takes exactly one of two concurrent If-Match updates', async () => {
    const body = (priority: number) => ({ targetCondition: "tags.none = 'x'", priority, content: { deviceContent: { 'properties.desired.fromConfig': 1 } } });
    const created = await rest(a.hub, { method: 'PUT', path: '/configurations/shared-config', body: body(1) });
    expect(created.status).toBe(200);
    // Node b knows the configuration as soon as it applied the stream (before: only its own writes, so 404).
    await eventually(async () => (await rest(b.hub, { method: 'GET', path: '/configurations/shared-config' })).status === 200, 10_000, 'node b sees the configuration');
    const dup = await rest(b.hub, { method: 'PUT', path: '/configurations/shared-config', body: body(1) });
    expect(dup.status).toBe(409);
    for (let round = 2; round <= 7; round++) {
      const before = (await rest(a.hub, { method: 'GET', path: '/configurations/shared-config' })).json<{ etag: string }>();
      const update = { method: 'PUT', path: '/configurations/shared-config', headers: { 'If-Match': `"${before.etag}"` }, body: body(round) };
      const statuses = (await Promise.all([rest(a.hub, update), rest(b.hub, update)])).map((response) => response.status).sort();
      expect(statuses, `round ${round}`).toEqual([200, 412]);
      await eventually(async () => (await rest(b.hub, { method: 'GET', path: '/configurations/shared-config' })).json<{ priority: number }>().priority === round, 10_000, `round ${round} on node b`);
    }
    const removed = await rest(b.hub, { method: 'DELETE', path: '/configurations/shared-config' });
    expect(removed.status).toBe(204);
    await eventually(async () => (await rest(a.hub, { method: 'GET', path: '/configurations/shared-config' })).status === 404, 10_000, 'node a sees the delete');
  }, 60_000);

  it('refuses through either node a job id another node created', async () => {
    const job = { jobId: 'shared-job', type: 'scheduleUpdateTwin', queryCondition: "deviceId = 'shared'", updateTwin: { tags: { jobbed: true } } };
    const created = await rest(a.hub, { method: 'PUT', path: '/jobs/v2/shared-job', body: job });
    expect(created.status).toBe(200);
    await eventually(async () => (await rest(b.hub, { method: 'GET', path: '/jobs/v2/shared-job' })).status === 200, 10_000, 'node b sees the job');
    const again = await rest(b.hub, { method: 'PUT', path: '/jobs/v2/shared-job', body: job });
    expect(again.status).toBe(409);
    expect(again.headers['iothub-errorcode']).toBe((await rest(a.hub, { method: 'PUT', path: '/jobs/v2/shared-job', body: job })).headers['iothub-errorcode']);
  }, 60_000);

  it('cancels through one node a job that another node runs', async () => {
    const startTime = new Date(Date.now() + 60_000).toISOString();
    const job = { jobId: 'remote-cancel', type: 'scheduleUpdateTwin', queryCondition: "deviceId = 'shared'", updateTwin: { tags: { cancelled: false } }, startTime };
    expect((await rest(a.hub, { method: 'PUT', path: '/jobs/v2/remote-cancel', body: job })).status).toBe(200);
    await eventually(async () => (await rest(b.hub, { method: 'GET', path: '/jobs/v2/remote-cancel' })).json<{ status: string }>().status === 'scheduled', 10_000, 'node b sees the scheduled job');
    const cancelled = await rest(b.hub, { method: 'POST', path: '/jobs/v2/remote-cancel/cancel' });
    expect(cancelled.status).toBe(200);
    // Node a, which holds the job's timer, wrote the cancel: both nodes answer with it.
    expect(cancelled.json<{ status: string }>().status).toBe('cancelled');
    expect((await rest(a.hub, { method: 'GET', path: '/jobs/v2/remote-cancel' })).json<{ status: string }>().status).toBe('cancelled');
  }, 60_000);

  it('takes exactly one of two concurrent If-Match enrollment updates through different nodes', async () => {
    const token = serviceTokenFor(a.hub.info.provisioning.serviceConnectionString, a.hub.info.hostName);
    const path = '/enrollments/raced?api-version=2021-10-01';
    const put = (node: TestHub, etag: string | undefined, tag: string) =>
      rest(node.hub, { method: 'PUT', path, authorization: token, ...(etag === undefined ? {} : { headers: { 'If-Match': etag } }), body: { registrationId: 'raced', attestation: { type: 'symmetricKey' }, initialTwin: { tags: { tag } } } });
    const created = await put(a, undefined, 'first');
    expect(created.status).toBe(200);
    for (let round = 1; round <= 6; round++) {
      const current = (await rest(a.hub, { method: 'GET', path, authorization: token })).json<{ etag: string }>();
      await eventually(async () => (await rest(b.hub, { method: 'GET', path, authorization: token })).json<{ etag: string }>().etag === current.etag, 10_000, `round ${round}: node b has the etag`);
      const statuses = (await Promise.all([put(a, current.etag, `a${round}`), put(b, current.etag, `b${round}`)])).map((reply) => reply.status).sort();
      expect(statuses, `round ${round}`).toEqual([200, 412]);
    }
  }, 60_000);
});
