import { describe, expect, it } from 'vitest';

import type { TwinWritten } from '../../../../emulator/model/changes.js';
import type { TwinState } from '../../../../emulator/model/twin.js';
import type { TwinHistoryEntry } from '../../../../emulator/model/twin-history.js';
import { appendHistory, applyMergePatch, diffInverse, historyEntry, replayForward, twinAtVersion, twinStateAtVersion } from '../../../../emulator/state/twin-history.js';
import { freshSection } from '../../../../emulator/twin/merge-section.js';
import { applyTwinWrite, type TwinWriteParts } from '../../../../emulator/twin/twin-writes.js';

const T0 = '2026-05-01T00:00:00.000Z';

function fresh(): TwinState {
  return { tags: {}, desired: freshSection(T0, true), reported: freshSection(T0, false), version: 1, modelId: '' };
}

/** Applies writes like the reducer does and keeps the log. */
function play(writes: TwinWriteParts[], limit = 100, withMetadata = true) {
  let twin = fresh();
  let log: TwinHistoryEntry[] = [];
  const states: TwinState[] = [twin];
  for (const [i, parts] of writes.entries()) {
    const time = new Date(Date.parse(T0) + (i + 1) * 1000).toISOString();
    const next = applyTwinWrite(twin, parts, time);
    log = appendHistory(log, historyEntry(twin, { ...change(next, parts), time }, withMetadata ? next : undefined), limit);
    twin = next;
    states.push(twin);
  }
  return { twin, log, states };
}

function change(after: TwinState, parts: TwinWriteParts): TwinWritten {
  return {
    kind: 'twinWritten',
    target: { deviceId: 'd' },
    time: T0,
    writer: { kind: 'service', policy: 'iothubowner' },
    ...parts,
    version: after.version,
    desiredVersion: after.desired.version,
    reportedVersion: after.reported.version,
  };
}

describe('the twin change log', () => {
  const writes: TwinWriteParts[] = [
    { desired: { mode: 'merge', patch: { a: 1, nested: { x: 1, y: 2 } } } },
    { reported: { mode: 'merge', patch: { t: 20 } } },
    { tags: { mode: 'merge', patch: { site: 'A' } }, desired: { mode: 'merge', patch: { nested: { y: null, z: 3 }, a: null } } },
    { desired: { mode: 'replace', patch: { only: true } }, tags: { mode: 'replace', patch: {} } },
    { reported: { mode: 'merge', patch: { t: { deep: [1, 2] } } } },
  ];

  it('rebuilds the twin at every version from the current twin and the inverse patches', () => {
    const { twin, log, states } = play(writes);
    for (const past of states) {
      const rebuilt = twinAtVersion(twin, log, past.version);
      expect(rebuilt).toEqual({
        version: past.version,
        tags: past.tags,
        desired: { ...past.desired.data, $version: past.desired.version },
        reported: { ...past.reported.data, $version: past.reported.version },
        metadata: { desired: past.desired.metadata, reported: past.reported.metadata },
      });
    }
  });

  it('replays forward from version 1 to the current twin exactly ($metadata and key order included)', () => {
    const { twin, log } = play(writes);
    const base = twinStateAtVersion(twin, log, 1);
    expect(base?.metadataExact).toBe(true);
    expect(JSON.stringify(replayForward(base?.state as TwinState, log))).toBe(JSON.stringify(twin));
  });

  it('leaves $metadata out for versions behind an entry written without metadata inverses (older logs)', () => {
    const { twin, log, states } = play(writes, 100, false);
    const rebuilt = twinAtVersion(twin, log, 2);
    expect(rebuilt?.desired).toEqual({ ...states[1]?.desired.data, $version: states[1]?.desired.version });
    expect(rebuilt?.metadata).toBeUndefined();
    expect(twinAtVersion(twin, log, twin.version)?.metadata).toBeDefined();
  });

  it('diffInverse turns the new tree back into the old one', () => {
    const before = { a: 1, b: { c: 2, d: [1] }, e: 'x' };
    const after = { a: 2, b: { c: 2, f: 3, d: [1] }, g: true };
    expect(diffInverse(before, after)).toEqual({ a: 1, b: { f: null }, e: 'x', g: null });
    expect(applyMergePatch(after, diffInverse(before, after))).toEqual(before);
  });

  it('records who wrote what, with the versions after the write', () => {
    const { log } = play(writes);
    expect(log.map((entry) => entry.version)).toEqual([2, 3, 4, 5, 6]);
    expect(log[2]).toMatchObject({ writer: 'service:iothubowner', desiredVersion: 3, reportedVersion: 2, changes: { tags: { mode: 'merge', patch: { site: 'A' } } } });
    expect(log[2]?.inverse.desired).toEqual({ nested: { y: 2, z: null }, a: 1 });
  });

  it('keeps at most the configured number of entries and says when a version is out of reach', () => {
    const { twin, log } = play(writes, 2);
    expect(log.map((entry) => entry.version)).toEqual([5, 6]);
    expect(twinAtVersion(twin, log, 4)?.version).toBe(4);
    expect(twinAtVersion(twin, log, 3)).toBeUndefined();
    expect(twinAtVersion(twin, log, 7)).toBeUndefined();
    expect(appendHistory(log, log[0] as never, 0)).toEqual([]);
  });

  it('applies merge patches without touching the input', () => {
    const input = { a: 1, b: { c: 2 } };
    expect(applyMergePatch(input, { a: null, b: { d: 3 } })).toEqual({ b: { c: 2, d: 3 } });
    expect(input).toEqual({ a: 1, b: { c: 2 } });
  });
});
