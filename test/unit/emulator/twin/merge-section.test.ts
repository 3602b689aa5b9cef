import { describe, expect, it } from 'vitest';

import type { TwinSection } from '../../../../emulator/model/twin.js';
import { freshSection, mergeSection, replaceSection, replacementDelta } from '../../../../emulator/twin/merge-section.js';

const T0 = '2026-01-01T00:00:00.000Z';
const T1 = '2026-01-01T00:00:01.000Z';
const T2 = '2026-01-01T00:00:02.000Z';

describe('mergeSection keeps $metadata the way IoT Hub does (§7.2, checklist 59-60)', () => {
  it('starts a desired section at $version 1 with a root stamp carrying $lastUpdatedVersion', () => {
    expect(freshSection(T0, true)).toEqual({ data: {}, metadata: { $lastUpdated: T0, $lastUpdatedVersion: 1 }, version: 1 });
    expect(freshSection(T0, false)).toEqual({ data: {}, metadata: { $lastUpdated: T0 }, version: 1 });
  });

  it('stamps every new object and leaf, and the root, with time and (desired) version', () => {
    const merged = mergeSection(freshSection(T0, true), { a: { b: 1 }, c: 'x' }, { now: T1, trackVersion: true });
    expect(merged.version).toBe(2);
    expect(merged.metadata).toEqual({
      $lastUpdated: T1,
      $lastUpdatedVersion: 2,
      a: { $lastUpdated: T1, $lastUpdatedVersion: 2, b: { $lastUpdated: T1, $lastUpdatedVersion: 2 } },
      c: { $lastUpdated: T1, $lastUpdatedVersion: 2 },
    });
  });

  it('updates ancestors of a changed leaf but leaves untouched siblings alone', () => {
    const first = mergeSection(freshSection(T0, true), { a: { b: 1, keep: 2 }, other: 3 }, { now: T1, trackVersion: true });
    const second = mergeSection(first, { a: { b: 5 } }, { now: T2, trackVersion: true });
    expect(second.metadata.a).toMatchObject({ $lastUpdated: T2, $lastUpdatedVersion: 3 });
    expect((second.metadata.a as Record<string, unknown>).b).toEqual({ $lastUpdated: T2, $lastUpdatedVersion: 3 });
    expect((second.metadata.a as Record<string, unknown>).keep).toEqual({ $lastUpdated: T1, $lastUpdatedVersion: 2 });
    expect(second.metadata.other).toEqual({ $lastUpdated: T1, $lastUpdatedVersion: 2 });
  });

  it('removes the metadata of deleted keys and restamps their ancestors', () => {
    const first = mergeSection(freshSection(T0, false), { a: { b: 1, c: 2 } }, { now: T1, trackVersion: false });
    const second = mergeSection(first, { a: { b: null } }, { now: T2, trackVersion: false });
    expect(second.data).toEqual({ a: { c: 2 } });
    expect(second.metadata).toEqual({ $lastUpdated: T2, a: { $lastUpdated: T2, c: { $lastUpdated: T1 } } });
  });

  it('replaces metadata subtrees when an object replaces a scalar and vice versa', () => {
    const first = mergeSection(freshSection(T0, false), { a: 1 }, { now: T1, trackVersion: false });
    const second = mergeSection(first, { a: { b: 2 } }, { now: T2, trackVersion: false });
    expect(second.metadata.a).toEqual({ $lastUpdated: T2, b: { $lastUpdated: T2 } });
    const third = mergeSection(second, { a: [1, 2] }, { now: T2, trackVersion: false });
    expect(third.data).toEqual({ a: [1, 2] });
    expect(third.metadata.a).toEqual({ $lastUpdated: T2 });
  });

  it('never mutates the section it was given', () => {
    const before: TwinSection = mergeSection(freshSection(T0, false), { a: { b: 1 } }, { now: T1, trackVersion: false });
    const snapshot = structuredClone(before);
    mergeSection(before, { a: { b: null, c: [1] } }, { now: T2, trackVersion: false });
    expect(before).toEqual(snapshot);
  });

  it('replaceSection stamps everything and replacementDelta nulls the keys that vanished', () => {
    const first = mergeSection(freshSection(T0, true), { a: 1, b: { c: 2 } }, { now: T1, trackVersion: true });
    const replaced = replaceSection(first, { b: { d: 3 } }, { now: T2, trackVersion: true });
    expect(replaced.version).toBe(3);
    expect(replaced.data).toEqual({ b: { d: 3 } });
    expect(replaced.metadata).toEqual({
      $lastUpdated: T2,
      $lastUpdatedVersion: 3,
      b: { $lastUpdated: T2, $lastUpdatedVersion: 3, d: { $lastUpdated: T2, $lastUpdatedVersion: 3 } },
    });
    expect(replacementDelta(first.data, replaced.data)).toEqual({ a: null, b: { d: 3 } });
  });
});
