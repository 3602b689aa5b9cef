/**
 * What a paged query returns when twins change between its pages. The contract (emulator/views/scan-cursor.ts):
 * the query reads the twins indexed at its first page; a twin updated before the cursor reaches it is read with
 * its new view; a twin removed before the cursor reaches it is not returned; twins inserted after the first page
 * (including one removed and created again) are not returned; no twin is returned twice.
 */
import { describe, expect, it } from 'vitest';
import type { JsonObject } from '../../../../emulator/model/json.js';
import { createRandom } from '../../../../emulator/util/seeded-random.js';
import { TwinQueries } from '../../../../emulator/views/twin-queries.js';
import { allPages, deviceView, keyOf, moduleView, syntheticIndex } from './views-test-helpers.js';

const ids = (items: JsonObject[]): string[] => items.map(keyOf);

describe('Paging while twins change', () => {
  it('reads updated twins with their new view, skips removed ones and does not return new ones', () => {
    const index = syntheticIndex(10, 100);
    const queries = new TwinQueries(index);
    const pages = allPages((o) => queries.run('SELECT * FROM devices WHERE tags.n >= 0', o), 3, (_, n) => {
      if (n !== 1) return;
      index.upsert('d4', deviceView(4, { tags: { n: -1 } }));
      index.upsert('d5', deviceView(5, { status: 'changed' }));
      index.remove('d6');
      index.remove('d1');
      index.upsert('d1', deviceView(1));
      index.upsert('d10', deviceView(10));
    });
    const items = pages.flatMap((p) => p.items);
    expect(ids(items)).toEqual(['d0', 'd1', 'd2', 'd3', 'd5', 'd7', 'd8', 'd9']);
    expect(items[4]?.['status']).toBe('changed');
  });

  it('re-reads the look-ahead twin that starts the next page', () => {
    const index = syntheticIndex(6, 100);
    const queries = new TwinQueries(index);
    const first = queries.run('SELECT * FROM devices', { pageSize: 2 });
    index.upsert('d2', deviceView(2, { status: 'changed' }));
    const second = queries.run('SELECT * FROM devices', { pageSize: 2, continuation: first.continuation ?? '' });
    expect(second.items.map((t) => t['status'])).toEqual(['changed', 'enabled']);
    index.remove('d4');
    const third = queries.run('SELECT * FROM devices', { pageSize: 2, continuation: second.continuation ?? '' });
    expect(ids(third.items)).toEqual(['d5']);
    expect(third.continuation).toBeUndefined();
  });

  it('drops a removed device and its module twins from a module query in progress', () => {
    const index = syntheticIndex(20, 2);
    const queries = new TwinQueries(index);
    const pages = allPages((o) => queries.run('SELECT * FROM devices.modules', o), 4, (_, n) => {
      if (n === 1) index.removeDevice('d10');
    });
    const got = ids(pages.flatMap((p) => p.items));
    expect(got).toHaveLength(18);
    expect(got.some((key) => key.startsWith('d10/'))).toBe(false);
  });

  it('continues across a compaction of the index (thousands of removals between pages)', () => {
    const index = syntheticIndex(6000, 1000);
    const queries = new TwinQueries(index);
    const pages = allPages((o) => queries.run('SELECT deviceId FROM devices', o), 1000, (_, n) => {
      if (n === 1) for (let i = 1500; i < 5000; i++) index.remove(`d${i}`);
    });
    expect(index.slots('devices').views.length).toBeLessThan(6000);
    const got = pages.flatMap((p) => p.items).map((row) => String(row['deviceId']));
    const expected = [...Array.from({ length: 1500 }, (_, i) => `d${i}`), ...Array.from({ length: 1000 }, (_, i) => `d${5000 + i}`)];
    expect(got).toEqual(expected);
  });

  it('keeps GROUP BY rows of the first page consistent across pages (one snapshot)', () => {
    const index = syntheticIndex(30, 100);
    const queries = new TwinQueries(index);
    const text = 'SELECT tags.region, COUNT() AS n FROM devices GROUP BY tags.region';
    const pages = allPages((o) => queries.run(text, o), 1, () => index.removeDevice('d0'));
    expect(pages.flatMap((p) => p.items)).toEqual([
      { n: 10, region: 'US' }, { n: 10, region: 'EU' }, { n: 10, region: 'ASIA' },
    ]);
  });

  it('never returns a twin twice and returns every untouched match, under random changes (10k twins)', () => {
    const random = createRandom(4242);
    const index = syntheticIndex(10_000);
    const queries = new TwinQueries(index);
    for (const text of ["SELECT * FROM devices WHERE tags.region = 'EU'", 'SELECT * FROM devices.modules WHERE tags.n % 3 = 0']) {
      const modules = text.includes('modules');
      const matches = (view: JsonObject): boolean => (modules
        ? Number((view['tags'] as JsonObject)['n']) % 3 === 0 : (view['tags'] as JsonObject)['region'] === 'EU');
      const present = [...(modules ? index.modules() : index.devices())];
      const existed = new Set(present.map(keyOf));
      const atStart = new Set(present.filter(matches).map(keyOf));
      const touched = new Set<string>();
      const served = new Map<string, JsonObject>();
      const pages = allPages((o) => {
        const page = queries.run(text, o);
        // Every item is the view current when its page was served.
        for (const item of page.items) expect(index.get(keyOf(item))).toBe(item);
        return page;
      }, 23, () => mutate(random, index, touched));
      for (const item of pages.flatMap((p) => p.items)) {
        const key = keyOf(item);
        expect(served.has(key), key).toBe(false);
        expect(atStart.has(key) || touched.has(key), key).toBe(true);
        expect(existed.has(key), `${key} was inserted after the first page`).toBe(true);
        served.set(key, item);
      }
      for (const key of atStart) if (!touched.has(key)) expect(served.has(key), key).toBe(true);
    }
  });
});

/** A few random updates, removals and insertions; records every key it touched. */
function mutate(random: () => number, index: ReturnType<typeof syntheticIndex>, touched: Set<string>): void {
  for (let n = 0; n < 5; n++) {
    const i = Math.floor(random() * 10_000);
    const roll = random();
    if (roll < 0.4) {
      index.upsert(`d${i}`, deviceView(i, { tags: { n: i + 1, region: 'EU' } }));
      touched.add(`d${i}`);
    } else if (roll < 0.6) {
      index.removeDevice(`d${i}`);
      for (const key of [`d${i}`, `d${i}/m0`, `d${i}/m1`]) touched.add(key);
    } else if (roll < 0.8) {
      index.upsert(`d${i}/m0`, moduleView(i, 0, { tags: { n: 3 * i } }));
      touched.add(`d${i}/m0`);
    } else {
      index.upsert(`new${i}`, deviceView(i, { deviceId: `new${i}` }));
      touched.add(`new${i}`);
    }
  }
}
