import { describe, expect, it } from 'vitest';
import type { JsonObject } from '../../../../emulator/model/json.js';
import { TwinViewIndex } from '../../../../emulator/views/twin-view-index.js';

const view = (key: string, extra: JsonObject = {}): JsonObject => {
  const [deviceId = '', moduleId] = key.split('/');
  return { deviceId, ...(moduleId !== undefined && { moduleId }), ...extra };
};

function indexOf(...keys: string[]): TwinViewIndex {
  const index = new TwinViewIndex();
  for (const key of keys) index.upsert(key, view(key));
  return index;
}

const ids = (views: Iterable<JsonObject>): string[] =>
  Array.from(views, (v) => (typeof v['moduleId'] === 'string' ? `${String(v['deviceId'])}/${v['moduleId']}` : String(v['deviceId'])));

describe('TwinViewIndex', () => {
  it('keeps device twins and module twins apart, each in insertion order', () => {
    const index = indexOf('b', 'a/m1', 'a', 'b/m2', 'c', 'a/m0');
    expect(ids(index.devices())).toEqual(['b', 'a', 'c']);
    expect(ids(index.modules())).toEqual(['a/m1', 'b/m2', 'a/m0']);
    expect(ids(index)).toEqual(['b', 'a', 'c', 'a/m1', 'b/m2', 'a/m0']);
    expect([index.size, index.deviceCount, index.moduleCount]).toEqual([6, 3, 3]);
  });

  it('replaces a view in place: the twin keeps its position and its insertion generation', () => {
    const index = indexOf('a', 'b', 'c');
    const before = index.insertedAt('b');
    const updated = view('b', { tags: { x: 1 } });
    index.upsert('b', updated);
    expect(ids(index.devices())).toEqual(['a', 'b', 'c']);
    expect(index.get('b')).toBe(updated);
    expect(index.insertedAt('b')).toBe(before);
  });

  it('moves a twin removed and inserted again to the end, with a new insertion generation', () => {
    const index = indexOf('a', 'b', 'c');
    const first = index.insertedAt('a') ?? -1;
    expect(index.remove('a')).toBe(true);
    expect(index.remove('a')).toBe(false);
    index.upsert('a', view('a'));
    expect(ids(index.devices())).toEqual(['b', 'c', 'a']);
    expect(index.insertedAt('a')).toBeGreaterThan(first);
  });

  it('removes a device with its module twins only', () => {
    const index = indexOf('a', 'a/m1', 'ab/m1', 'b', 'a/m2');
    expect(index.removeDevice('a')).toBe(3);
    expect(ids(index)).toEqual(['b', 'ab/m1']);
    expect(index.get('a/m1')).toBeUndefined();
    expect(index.removeDevice('a')).toBe(0);
    expect(index.remove('ab/m1')).toBe(true);
    expect(index.removeDevice('ab')).toBe(0);
  });

  it('removes a module twin alone', () => {
    const index = indexOf('a', 'a/m1', 'a/m2');
    expect(index.remove('a/m1')).toBe(true);
    expect(ids(index)).toEqual(['a', 'a/m2']);
    expect(index.removeDevice('a')).toBe(2);
    expect(index.size).toBe(0);
  });

  it('counts every change in a strictly increasing generation, and not no-op removals', () => {
    const index = new TwinViewIndex();
    const seen = [index.generation];
    index.upsert('a', view('a'));
    seen.push(index.generation);
    index.upsert('a', view('a'));
    seen.push(index.generation);
    index.upsert('a/m', view('a/m'));
    seen.push(index.generation);
    index.removeDevice('a');
    seen.push(index.generation);
    expect(seen.every((g, i) => i === 0 || g > (seen[i - 1] ?? 0))).toBe(true);
    index.remove('zz');
    expect(index.generation).toBe(seen.at(-1));
  });

  it('iterates live: new views of updated twins, no removed twins, one visit each', () => {
    const index = indexOf('a', 'b', 'c', 'd');
    const iterator = index.devices();
    expect(iterator.next().value).toEqual({ deviceId: 'a' });
    const newB = view('b', { v: 2 });
    index.upsert('b', newB);
    index.remove('c');
    index.remove('a');
    expect(iterator.next().value).toBe(newB);
    expect(iterator.next().value).toEqual({ deviceId: 'd' });
    expect(iterator.next().done).toBe(true);
  });

  it('compacts after many removals without changing the order, even under a running iterator', () => {
    const keys = Array.from({ length: 5000 }, (_, i) => `d${i}`);
    const index = indexOf(...keys);
    const iterator = index.devices();
    for (let i = 0; i < 10; i++) iterator.next();
    for (let i = 0; i < 4000; i++) index.remove(`d${i}`);
    expect(index.slots('devices').views.length).toBeLessThan(5000);
    expect(ids(index.devices())).toEqual(keys.slice(4000));
    expect(ids({ [Symbol.iterator]: () => iterator })).toEqual(keys.slice(4000));
    index.upsert('d1', view('d1'));
    expect(ids(index.devices()).slice(-2)).toEqual(['d4999', 'd1']);
    expect(index.get('d4500')).toEqual({ deviceId: 'd4500' });
  });

  it('leaves views held by a reader untouched when the twin is updated', () => {
    const index = indexOf('a');
    const held = index.get('a');
    index.upsert('a', view('a', { tags: { new: true } }));
    expect(held).toEqual({ deviceId: 'a' });
  });
});
