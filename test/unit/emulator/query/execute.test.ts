import { describe, expect, it } from 'vitest';
import type { JsonObject } from '../../../../emulator/model/json.js';
import {
  compileQuery, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, QueryContinuationError, QueryError,
} from '../../../../emulator/query/index.js';
import { ALL_TWINS, twinId } from '../../../fixtures/query/twins.js';
import { runAllPages, runQuery } from './query-test-helpers.js';

const device = (i: number, extra: JsonObject = {}): JsonObject => ({ deviceId: `d${i}`, tags: { n: i }, ...extra });
const devices = (count: number): JsonObject[] => Array.from({ length: count }, (_, i) => device(i));

describe('Paging (checklist 76-77)', () => {
  it('splits 5 devices into pages of 2, 2 and 1 with the continuation absent on the last page', () => {
    const twins = devices(5);
    const pages = runAllPages(compileQuery('SELECT * FROM devices'), twins, 2);
    expect(pages.map((p) => p.items.length)).toEqual([2, 2, 1]);
    expect(pages.map((p) => 'continuation' in p)).toEqual([true, true, false]);
    expect(pages.map((p) => p.itemType)).toEqual(['Twin', 'Twin', 'Twin']);
    expect(pages.flatMap((p) => p.items)).toEqual(twins);
  });

  it('returns the next page with no duplicates or gaps when the token is re-sent', () => {
    const twins = devices(7);
    const query = compileQuery('SELECT * FROM devices WHERE tags.n % 2 = 0');
    const first = query.run(twins, { pageSize: 2 });
    const again = query.run(twins, { pageSize: 2, continuation: first.continuation ?? '' });
    const twice = query.run(twins, { pageSize: 2, continuation: first.continuation ?? '' });
    expect(first.items.map(twinId)).toEqual(['d0', 'd2']);
    expect(again.items.map(twinId)).toEqual(['d4', 'd6']);
    expect(twice).toEqual(again);
    expect('continuation' in again).toBe(false);
  });

  it('does not end with an empty page when the last page is exactly full', () => {
    const pages = runAllPages(compileQuery('SELECT * FROM devices'), devices(4), 2);
    expect(pages.map((p) => p.items.length)).toEqual([2, 2]);
  });

  it('gives one empty page and no continuation when nothing matches', () => {
    const page = compileQuery("SELECT * FROM devices WHERE deviceId = 'none'").run(devices(3));
    expect(page).toEqual({ items: [], itemType: 'Twin' });
  });

  it('defaults to 100 items per page and clamps larger requests to 1000', () => {
    const twins = devices(2500);
    const query = compileQuery('SELECT deviceId FROM devices');
    expect(DEFAULT_PAGE_SIZE).toBe(100);
    expect(MAX_PAGE_SIZE).toBe(1000);
    expect(query.run(twins).items).toHaveLength(100);
    expect(query.run(twins, { pageSize: 5000 }).items).toHaveLength(1000);
    expect(query.run(twins, { pageSize: 0 }).items).toHaveLength(100);
    expect(query.run(twins, { pageSize: Number.NaN }).items).toHaveLength(100);
    expect(query.run(twins, { pageSize: 2.9 }).items).toHaveLength(2);
  });

  it('lets TOP cap the total across pages, without a continuation once TOP is reached', () => {
    const pages = runAllPages(compileQuery('SELECT TOP 5 * FROM devices'), devices(20), 2);
    expect(pages.map((p) => p.items.length)).toEqual([2, 2, 1]);
    expect(pages.flatMap((p) => p.items).map(twinId)).toEqual(['d0', 'd1', 'd2', 'd3', 'd4']);
    const exact = runAllPages(compileQuery('SELECT TOP 4 * FROM devices'), devices(20), 2);
    expect(exact.map((p) => p.items.length)).toEqual([2, 2]);
  });

  it('pages projections and GROUP BY rows too', () => {
    const twins = devices(9).map((t, i) => ({ ...t, status: `s${i % 5}` }));
    const projected = runAllPages(compileQuery('SELECT deviceId FROM devices'), twins, 4);
    expect(projected.map((p) => p.items.length)).toEqual([4, 4, 1]);
    expect(projected[0]?.itemType).toBe('Raw');
    const grouped = runAllPages(compileQuery('SELECT status, COUNT() AS n FROM devices GROUP BY status'), twins, 2);
    expect(grouped.map((p) => p.items.length)).toEqual([2, 2, 1]);
    expect(grouped.flatMap((p) => p.items)).toEqual([
      { n: 2, status: 's0' }, { n: 2, status: 's1' }, { n: 2, status: 's2' }, { n: 2, status: 's3' }, { n: 1, status: 's4' },
    ]);
  });

  it('rejects a continuation token issued for another query', () => {
    const twins = devices(5);
    const token = compileQuery('SELECT * FROM devices').run(twins, { pageSize: 2 }).continuation ?? '';
    const other = compileQuery("SELECT * FROM devices WHERE deviceId != 'x'");
    expect(() => other.run(twins, { pageSize: 2, continuation: token })).toThrow(QueryContinuationError);
    expect(() => other.run(twins, { pageSize: 2, continuation: token }))
      .toThrow('The continuation token was issued for a different query; re-send the query that returned it');
  });

  it('accepts the token for the same query written with other spacing and keyword case', () => {
    const twins = devices(5);
    const token = compileQuery('SELECT * FROM devices').run(twins, { pageSize: 2 }).continuation ?? '';
    const page = compileQuery('select  *  from   devices').run(twins, { pageSize: 2, continuation: token });
    expect(page.items.map(twinId)).toEqual(['d2', 'd3']);
  });

  it('rejects malformed tokens with a QueryError', () => {
    const query = compileQuery('SELECT * FROM devices');
    for (const token of ['', 'not base64!', 'e30', 'bnVsbA', '%%%', 'eyJ2IjoxfQ']) {
      expect(() => query.run(devices(3), { continuation: token }), token).toThrow(QueryContinuationError);
    }
    let caught: unknown;
    try {
      query.run(devices(3), { continuation: 'x' });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(QueryError);
  });

  it('makes tokens that are plain opaque base64url text', () => {
    const token = compileQuery('SELECT * FROM devices').run(devices(5), { pageSize: 1 }).continuation ?? '';
    expect(token).toMatch(/^[A-Za-z0-9_-]+$/);
  });
});

describe('Execution', () => {
  it('returns the input objects themselves for SELECT * (no copies)', () => {
    const items = runQuery('SELECT * FROM devices', ALL_TWINS);
    items.forEach((item) => expect(ALL_TWINS.includes(item)).toBe(true));
  });

  it('runs over any iterable, with the same pages as over an array', () => {
    const twins = devices(7);
    function* generate(): Generator<JsonObject> {
      yield* twins;
    }
    const query = compileQuery('SELECT * FROM devices WHERE tags.n > 1');
    const fromArray = runAllPages(query, twins, 2).map((p) => p.items.map(twinId));
    const fromGenerator = runAllPages(query, { [Symbol.iterator]: generate }, 2).map((p) => p.items.map(twinId));
    const fromMap = runAllPages(query, new Map(twins.map((t) => [t['deviceId'], t])).values(), 100);
    expect(fromGenerator).toEqual(fromArray);
    expect(fromMap.flatMap((p) => p.items.map(twinId))).toEqual(['d2', 'd3', 'd4', 'd5', 'd6']);
  });

  it('can run one compiled query many times over changing twins', () => {
    const query = compileQuery('SELECT COUNT() AS n FROM devices');
    expect(query.run(devices(3)).items).toEqual([{ n: 3 }]);
    expect(query.run(devices(10)).items).toEqual([{ n: 10 }]);
  });

  it('reports its text, collection and item type', () => {
    expect(compileQuery('SELECT * FROM Devices.Modules')).toMatchObject({
      text: 'SELECT * FROM Devices.Modules', collection: 'devices.modules', itemType: 'Twin',
    });
    expect(compileQuery('SELECT deviceId FROM devices')).toMatchObject({ collection: 'devices', itemType: 'Raw' });
    expect(compileQuery('SELECT COUNT() FROM devices').itemType).toBe('Raw');
  });

  it('never reads inherited members, array lengths or array indices through a path', () => {
    const twins: JsonObject[] = [
      { deviceId: 'a', tags: { list: [1, 2], name: 'x', own: { constructor: 'mine' } } },
    ];
    for (const path of ['tags.constructor', 'tags.__proto__', 'tags.toString', 'tags.list.length', 'tags.name.length',
      'tags.list.[[0]]', 'tags.hasOwnProperty', 'constructor', 'tags.list.map']) {
      expect(runQuery(`SELECT * FROM devices WHERE IS_DEFINED(${path})`, twins), path).toEqual([]);
    }
    expect(runQuery("SELECT * FROM devices WHERE tags.own.constructor = 'mine'", twins)).toHaveLength(1);
  });

  it('treats twins whose moduleId is absent or not a string as device twins', () => {
    const twins: JsonObject[] = [{ deviceId: 'a' }, { deviceId: 'b', moduleId: null }, { deviceId: 'c', moduleId: 'm' }];
    expect(runQuery('SELECT * FROM devices', twins).map((t) => t['deviceId'])).toEqual(['a', 'b']);
    expect(runQuery('SELECT * FROM devices.modules', twins).map((t) => t['deviceId'])).toEqual(['c']);
  });

  it('reads twin fields case-insensitively down to the section roots but keeps user keys case-sensitive', () => {
    const twins: JsonObject[] = [{ deviceId: 'a', properties: { reported: { Temp: 1, $version: 4 } } }];
    expect(runQuery('SELECT * FROM devices WHERE PROPERTIES.Reported.Temp = 1', twins)).toHaveLength(1);
    expect(runQuery('SELECT * FROM devices WHERE properties.reported.$VERSION = 4', twins)).toHaveLength(1);
    expect(runQuery('SELECT * FROM devices WHERE properties.reported.temp = 1', twins)).toHaveLength(0);
    expect(runQuery('SELECT Properties.Reported.$Version FROM devices', twins)).toEqual([{ $version: 4 }]);
  });
});
