import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { connectRaw } from '../helpers/raw-mqtt.js';
import { policyToken, rest, type RestReply } from '../helpers/rest-client.js';
import { startTestHub, type TestHub } from '../helpers/start-hub.js';
import { eventually } from '../helpers/wait-for.js';

/**
 * Optimistic concurrency under contention (issue 7, iothub-protocol.md §7.5): many service clients, each on its own
 * HTTPS connection and some with their own policy, PATCH one twin at the same instant with the etag they all just
 * read. Each round exactly one wins (200), every other gets 412 PreconditionFailed in the hub's format, and the
 * twin holds the winner's change alone: nothing lost, nothing merged from a loser, `$version` +1 per round, one
 * notification per round at the device.
 */
const CLIENTS = 12;
const ROUNDS = 10;

interface ServiceTwin {
  etag: string;
  version: number;
  tags: Record<string, unknown>;
  properties: { desired: Record<string, unknown> & { $version: number } };
}

describe('concurrent If-Match writes to one twin over REST', () => {
  let hub: TestHub;
  let device: MqttClient;
  const notifications: { version: number; body: Record<string, unknown> }[] = [];
  // Alternate policies: the etag check must not depend on who asks.
  const tokens = () => [policyToken(hub.hub, 'iothubowner'), policyToken(hub.hub, 'service')];

  beforeAll(async () => {
    hub = await startTestHub({ fsync: true, ports: { https: 0 } });
    await hub.hub.registry.create({ deviceId: 'contended' });
    device = await connectRaw(hub.hub, 'contended');
    device.on('message', (topic, payload) => {
      const match = /^\$iothub\/twin\/PATCH\/properties\/desired\/\?\$version=(\d+)$/.exec(topic);
      if (match) notifications.push({ version: Number(match[1]), body: JSON.parse(payload.toString()) as Record<string, unknown> });
    });
    await device.subscribeAsync('$iothub/twin/PATCH/properties/desired/#');
  });
  afterAll(async () => {
    await device.endAsync();
    await hub.dispose();
  });

  const getTwin = async (authorization?: string) => (await rest(hub.hub, { method: 'GET', path: '/twins/contended', ...(authorization ? { authorization } : {}) })).json<ServiceTwin>();

  it(`lets exactly one of ${CLIENTS} writers win each of ${ROUNDS} rounds and keeps only the winner's change`, async () => {
    const [owner, service] = tokens();
    const winners: number[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      const seen = await Promise.all(Array.from({ length: CLIENTS }, (_, i) => getTwin(i % 2 === 0 ? owner : service)));
      const etag = seen[0]?.etag ?? '';
      expect(new Set(seen.map((twin) => twin.etag))).toEqual(new Set([etag]));
      const replies: RestReply[] = await Promise.all(
        Array.from({ length: CLIENTS }, (_, i) =>
          rest(hub.hub, {
            method: 'PATCH',
            path: '/twins/contended',
            authorization: i % 2 === 0 ? (owner ?? null) : (service ?? null),
            headers: { 'if-match': `"${etag}"` },
            body: { tags: { lastWriter: i }, properties: { desired: { round, winner: i, [`c${i}`]: round } } },
          }),
        ),
      );
      const won = replies.flatMap((reply, i) => (reply.status === 200 ? [i] : []));
      expect(won).toHaveLength(1);
      const losers = replies.filter((reply) => reply.status !== 200);
      expect(losers.map((reply) => reply.status)).toEqual(Array(CLIENTS - 1).fill(412));
      for (const reply of losers) {
        expect(reply.headers['iothub-errorcode']).toBe('PreconditionFailed');
        expect(reply.json<{ Message: string }>().Message).toMatch(/^ErrorCode:PreconditionFailed;/);
      }
      const winner = won[0] ?? -1;
      winners.push(winner);
      const twin = await getTwin();
      expect(twin.tags.lastWriter).toBe(winner);
      expect(twin.properties.desired).toMatchObject({ round, winner, [`c${winner}`]: round, $version: round + 1 });
      // A loser's key of this round never got in; older keys are from rounds that writer won.
      for (let i = 0; i < CLIENTS; i++) {
        const value = twin.properties.desired[`c${i}`];
        if (i !== winner) expect(value === undefined || (typeof value === 'number' && value < round && winners[value - 1] === i)).toBe(true);
      }
      expect(twin.version).toBe(seen[0]!.version + 1);
    }
    await eventually(() => notifications.length >= ROUNDS, 10_000, 'a notification per round');
    expect(notifications.map((n) => n.version)).toEqual(Array.from({ length: ROUNDS }, (_, i) => i + 2));
    expect(notifications.map((n) => n.body.winner)).toEqual(winners);
  });

  it('applies every one of many concurrent wildcard (If-Match "*") PATCHes with distinct keys: no lost update', async () => {
    const before = await getTwin();
    const seen = notifications.length;
    const replies = await Promise.all(
      Array.from({ length: CLIENTS }, (_, i) =>
        rest(hub.hub, { method: 'PATCH', path: '/twins/contended', headers: { 'if-match': '"*"' }, body: { properties: { desired: { [`w${i}`]: i } } } }),
      ),
    );
    expect(replies.map((reply) => reply.status)).toEqual(Array(CLIENTS).fill(200));
    const after = await getTwin();
    for (let i = 0; i < CLIENTS; i++) expect(after.properties.desired[`w${i}`]).toBe(i);
    expect(after.version).toBe(before.version + CLIENTS);
    // Applied one after another: each change got its own desired $version and its own notification with its key only.
    await eventually(() => notifications.length >= seen + CLIENTS, 10_000, 'a notification per write');
    const fresh = notifications.slice(seen);
    expect(fresh.map((n) => n.version)).toEqual(Array.from({ length: CLIENTS }, (_, i) => before.properties.desired.$version + 1 + i));
    for (const { body } of fresh) expect(Object.keys(body).filter((key) => key.startsWith('w'))).toHaveLength(1);
  });

  it('lets one writer win when a PUT (replace) and PATCHes race on the same etag, and never mixes them', async () => {
    const { etag } = await getTwin();
    const put = rest(hub.hub, { method: 'PUT', path: '/twins/contended', headers: { 'if-match': `"${etag}"` }, body: { tags: { replaced: true }, properties: { desired: { only: 'put' } } } });
    const patches = Array.from({ length: CLIENTS - 1 }, (_, i) =>
      rest(hub.hub, { method: 'PATCH', path: '/twins/contended', headers: { 'if-match': etag }, body: { properties: { desired: { patched: i } } } }),
    );
    const [putReply, ...patchReplies] = await Promise.all([put, ...patches]);
    const statuses = [putReply, ...patchReplies].map((reply) => reply?.status);
    expect(statuses.filter((status) => status === 200)).toHaveLength(1);
    expect(statuses.filter((status) => status === 412)).toHaveLength(CLIENTS - 1);
    const desired = (await getTwin()).properties.desired;
    if (putReply?.status === 200) {
      expect(Object.keys(desired).filter((key) => !key.startsWith('$'))).toEqual(['only']);
    } else {
      expect(desired).not.toHaveProperty('only');
      expect(Object.keys(desired).filter((key) => key === 'patched')).toHaveLength(1);
    }
  });
});

describe('concurrent If-Match writes through the service layer', () => {
  it('lets exactly one of many same-tick updateTwin calls with the same etag win', async () => {
    const hub = await startTestHub();
    try {
      await hub.hub.registry.create({ deviceId: 'layer' });
      for (let round = 1; round <= 5; round++) {
        const etag = (hub.hub.twins.getServiceTwin('layer') as { etag: string }).etag;
        const results = await Promise.allSettled(
          Array.from({ length: 20 }, (_, i) => hub.hub.twins.updateTwin('layer', { properties: { desired: { round, by: i } } }, etag)),
        );
        expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
        const codes = results.flatMap((result) => (result.status === 'rejected' ? [(result.reason as { code?: string }).code] : []));
        expect(codes).toEqual(Array(19).fill('PreconditionFailed'));
      }
    } finally {
      await hub.dispose();
    }
  });
});
