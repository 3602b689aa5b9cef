import { describe, expect, it } from 'vitest';
import type { JsonObject } from '../../../../emulator/model/json.js';
import { compileQuery, QueryContinuationError, QuerySyntaxError } from '../../../../emulator/query/index.js';
import { ManualClock } from '../../../../emulator/util/clock.js';
import { TwinQueries } from '../../../../emulator/views/twin-queries.js';
import { TwinViewIndex } from '../../../../emulator/views/twin-view-index.js';
import { CHECKLIST, MORE, WORKED_EXAMPLES } from '../../../fixtures/query/cases.js';
import { ALL_TWINS, twinId } from '../../../fixtures/query/twins.js';
import { allPages, deviceView, keyOf, syntheticIndex } from './views-test-helpers.js';

const QUERIES = [
  'SELECT * FROM devices',
  'SELECT * FROM devices WHERE tags.n % 7 = 0',
  "SELECT deviceId, tags.region AS r FROM devices WHERE tags.region = 'EU' AND status = 'enabled'",
  "SELECT * FROM devices.modules WHERE moduleId = 'm1'",
  'SELECT TOP 250 deviceId FROM devices WHERE tags.n % 3 = 1',
  'SELECT tags.region, COUNT() AS n FROM devices GROUP BY tags.region',
  'SELECT COUNT() AS n, AVG(properties.reported.battery) AS b FROM devices.modules',
  "SELECT * FROM devices WHERE deviceId = 'nope'",
];

describe('TwinQueries over 10,000 synthetic twins', () => {
  const index = syntheticIndex(10_000);
  const queries = new TwinQueries(index);
  const views = [...index];

  for (const text of QUERIES) {
    it(`pages "${text}" in small pages with exactly the rows and page sizes of the stateless engine`, () => {
      const compiled = compileQuery(text);
      for (const pageSize of [37, 1000]) {
        const expected = allPages((o) => compiled.run(views, o), pageSize);
        const actual = allPages((o) => queries.run(text, o), pageSize);
        expect(actual.map((p) => p.items.length)).toEqual(expected.map((p) => p.items.length));
        expect(actual.map((p) => p.itemType)).toEqual(expected.map((p) => p.itemType));
        expect(actual.flatMap((p) => p.items)).toEqual(expected.flatMap((p) => p.items));
      }
    });
  }

  it('returns the indexed views themselves for SELECT *', () => {
    const page = queries.run('SELECT * FROM devices', { pageSize: 5 });
    page.items.forEach((item) => expect(item).toBe(index.get(keyOf(item))));
  });

  it('clamps page sizes like the engine: default 100, at most 1000, fractions rounded down', () => {
    const sizes = [undefined, 5000, 0, Number.NaN, 2.9].map((pageSize) =>
      queries.run('SELECT deviceId FROM devices', pageSize === undefined ? {} : { pageSize }).items.length);
    expect(sizes).toEqual([100, 1000, 100, 100, 2]);
  });
});

describe('TwinQueries on the query table (fixtures)', () => {
  const index = new TwinViewIndex();
  for (const twin of ALL_TWINS) index.upsert(keyOf(twin), twin);
  const queries = new TwinQueries(index);
  for (const row of [...WORKED_EXAMPLES, ...CHECKLIST, ...MORE]) {
    it(`${row.title}: ${row.query.slice(0, 120)}`, () => {
      const { expected } = row;
      if (typeof expected === 'function') {
        expect(() => queries.run(row.query)).toThrow(expected);
        return;
      }
      const items = allPages((o) => queries.run(row.query, o), 2).flatMap((p) => p.items);
      if (compileQuery(row.query).itemType === 'Twin') expect(items.map(twinId)).toEqual(expected);
      else expect(items).toEqual(expected);
    });
  }
});

describe('TwinQueries continuation tokens', () => {
  const index = syntheticIndex(500);
  const text = 'SELECT * FROM devices WHERE tags.n % 2 = 0';

  it('are opaque base64url strings', () => {
    const token = new TwinQueries(index).run(text, { pageSize: 10 }).continuation ?? '';
    expect(token).toMatch(/^[A-Za-z0-9_-]+$/);
  });

  it('serve the same page again when a token is re-sent (a client retry)', () => {
    const queries = new TwinQueries(index);
    const first = queries.run(text, { pageSize: 10 });
    const second = queries.run(text, { pageSize: 10, continuation: first.continuation ?? '' });
    const retried = queries.run(text, { pageSize: 10, continuation: first.continuation ?? '' });
    expect(retried.items).toEqual(second.items);
    expect(second.items.map((t) => t['deviceId'])).toEqual(Array.from({ length: 10 }, (_, i) => `d${20 + 2 * i}`));
    const third = queries.run(text, { pageSize: 10, continuation: retried.continuation ?? '' });
    expect(third.items[0]?.['deviceId']).toBe('d40');
  });

  it('keep working when every cursor is lost: no cache, cleared cache, expired cursors, another hub', () => {
    const expected = allPages((o) => new TwinQueries(index).run(text, o), 7).flatMap((p) => p.items);
    const none = new TwinQueries(index, undefined, { capacity: 0 });
    expect(allPages((o) => none.run(text, o), 7).flatMap((p) => p.items)).toEqual(expected);
    const cleared = new TwinQueries(index);
    expect(allPages((o) => cleared.run(text, o), 7, () => cleared.clearCursors()).flatMap((p) => p.items)).toEqual(expected);
    const clock = new ManualClock();
    const expiring = new TwinQueries(index, clock, { ttlMs: 1000 });
    expect(allPages((o) => expiring.run(text, o), 7, () => clock.advance(1001)).flatMap((p) => p.items)).toEqual(expected);
    let hub = new TwinQueries(index);
    expect(allPages((o) => hub.run(text, o), 7, () => { hub = new TwinQueries(index); }).flatMap((p) => p.items)).toEqual(expected);
  });

  it('keep working for GROUP BY rows when the cursor is evicted', () => {
    const grouped = 'SELECT tags.n, COUNT() AS c FROM devices GROUP BY tags.n';
    const expected = allPages((o) => new TwinQueries(index).run(grouped, o), 30).flatMap((p) => p.items);
    const small = new TwinQueries(index, undefined, { capacity: 1 });
    const other = new TwinQueries(index);
    const items = allPages((o) => small.run(grouped, o), 30, () => { small.run(grouped, { pageSize: 1 }); }).flatMap((p) => p.items);
    expect(items).toEqual(expected);
    expect(items).toHaveLength(500);
    expect(other.run(grouped, { pageSize: 1000 }).items).toEqual(expected);
  });

  it('are refused for another query, malformed, or of the wrong kind, with the engine errors', () => {
    const queries = new TwinQueries(index);
    const token = queries.run(text, { pageSize: 10 }).continuation ?? '';
    const rowsToken = queries.run('SELECT tags.n, COUNT() AS c FROM devices GROUP BY tags.n', { pageSize: 10 }).continuation ?? '';
    expect(() => queries.run('SELECT * FROM devices', { continuation: token })).toThrow(QueryContinuationError);
    expect(() => queries.run(text, { continuation: 'not a token' })).toThrow(QueryContinuationError);
    expect(() => queries.run('SELECT tags.n, COUNT() AS c FROM devices GROUP BY tags.n', { continuation: token })).toThrow(QueryContinuationError);
    expect(() => queries.run(text, { continuation: rowsToken })).toThrow(QueryContinuationError);
    expect(() => queries.run('SELECT * FORM devices')).toThrow(QuerySyntaxError);
  });

  it('accept the same query written with other spacing and keyword case', () => {
    const queries = new TwinQueries(index);
    const token = queries.run(text, { pageSize: 10 }).continuation ?? '';
    const page = queries.run('select  *  from devices   where tags.n % 2 = 0', { pageSize: 10, continuation: token });
    expect(page.items[0]?.['deviceId']).toBe('d20');
  });

  it('let TOP cap the total across pages', () => {
    const queries = new TwinQueries(index);
    const pages = allPages((o) => queries.run('SELECT TOP 5 * FROM devices', o), 2);
    expect(pages.map((p) => p.items.length)).toEqual([2, 2, 1]);
  });
});

describe('TwinQueries page cost', () => {
  /** A device view whose `tags` counts how often the query engine reads it. */
  function countingView(i: number, reads: { count: number }): JsonObject {
    const view = deviceView(i);
    const tags = view['tags'] ?? null;
    Object.defineProperty(view, 'tags', { enumerable: true, get: () => { reads.count += 1; return tags; } });
    return view;
  }

  it('reads only the twins of the page (plus the one look-ahead match) when continuing', () => {
    const reads = { count: 0 };
    const index = new TwinViewIndex();
    for (let i = 0; i < 5000; i++) index.upsert(`d${i}`, countingView(i, reads));
    const queries = new TwinQueries(index);
    const text = 'SELECT * FROM devices WHERE tags.n >= 0';
    let page = queries.run(text, { pageSize: 50 });
    reads.count = 0;
    for (let n = 0; n < 20; n++) page = queries.run(text, { pageSize: 50, continuation: page.continuation ?? '' });
    expect(page.items[0]?.['deviceId']).toBe('d1000');
    // Each page reads its 50 twins and one look-ahead twin, which the next page reads again.
    expect(reads.count).toBe(20 * 51);
  });

  it('steps over earlier twins without reading them when the cursor is lost', () => {
    const reads = { count: 0 };
    const index = new TwinViewIndex();
    for (let i = 0; i < 5000; i++) index.upsert(`d${i}`, countingView(i, reads));
    const queries = new TwinQueries(index, undefined, { capacity: 0 });
    const text = 'SELECT * FROM devices WHERE tags.n >= 0';
    const token = queries.run(text, { pageSize: 50, continuation: new TwinQueries(index).run(text, { pageSize: 1000 }).continuation ?? '' });
    expect(token.items[0]?.['deviceId']).toBe('d1000');
    reads.count = 0;
    queries.run(text, { pageSize: 50, continuation: token.continuation ?? '' });
    expect(reads.count).toBe(51);
  });
});
