import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../../emulator/util/clock.js';
import { QueryCursors } from '../../../../emulator/views/query-cursors.js';

describe('QueryCursors', () => {
  it('hands out a fresh URL-safe id per cursor and gives each cursor back once', () => {
    const cursors = new QueryCursors<string>({ idPrefix: 'p' });
    const a = cursors.put('A') ?? '';
    const b = cursors.put('B') ?? '';
    expect(a).not.toBe(b);
    expect(a).toMatch(/^[A-Za-z0-9_.-]+$/);
    expect(cursors.take(b)).toBe('B');
    expect(cursors.take(b)).toBeUndefined();
    expect(cursors.take(a)).toBe('A');
    expect(cursors.take('unknown')).toBeUndefined();
  });

  it('evicts the least recently stored cursor beyond its capacity', () => {
    const cursors = new QueryCursors<number>({ capacity: 3 });
    const ids = [1, 2, 3, 4, 5].map((n) => cursors.put(n) ?? '');
    expect(cursors.size).toBe(3);
    expect(ids.map((id) => cursors.take(id))).toEqual([undefined, undefined, 3, 4, 5]);
  });

  it('forgets cursors older than their lifetime', () => {
    const clock = new ManualClock();
    const cursors = new QueryCursors<string>({ ttlMs: 1000, clock });
    const old = cursors.put('old') ?? '';
    clock.advance(600);
    const young = cursors.put('young') ?? '';
    clock.advance(500);
    expect(cursors.take(old)).toBeUndefined();
    expect(cursors.take(young)).toBe('young');
  });

  it('sweeps expired cursors when storing, so idle ones do not pile up', () => {
    const clock = new ManualClock();
    const cursors = new QueryCursors<number>({ ttlMs: 1000, clock });
    for (let i = 0; i < 10; i++) cursors.put(i);
    clock.advance(1001);
    cursors.put(99);
    expect(cursors.size).toBe(1);
  });

  it('holds nothing with capacity 0', () => {
    const cursors = new QueryCursors<number>({ capacity: 0 });
    expect(cursors.put(1)).toBeUndefined();
    expect(cursors.size).toBe(0);
  });

  it('never reuses an id across caches with different random prefixes', () => {
    const first = new QueryCursors<number>().put(1);
    const second = new QueryCursors<number>().put(1);
    expect(first).not.toBe(second);
  });
});
