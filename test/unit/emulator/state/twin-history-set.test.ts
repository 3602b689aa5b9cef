import { describe, expect, it } from 'vitest';

import type { HubChange } from '../../../../emulator/model/changes.js';
import { emptyHubState } from '../../../../emulator/model/hub-state.js';
import { applyChange } from '../../../../emulator/state/apply-change.js';
import { changesProblem } from '../../../../emulator/store/record-schema.js';
import { deviceRecord } from '../../../conformance/change-fixtures.js';

describe('twinHistorySet (hub snapshot restore)', () => {
  const entry = {
    version: 2, time: '2026-01-01T00:00:01.000Z', writer: 'studio', changes: { tags: { mode: 'merge', patch: { a: 1 } } },
    inverse: { tags: { a: null } }, desiredVersion: 1, reportedVersion: 1,
  } as const;

  it('replaces a twin change log, drops it when empty, ignores a missing twin', () => {
    const state = emptyHubState();
    const reduce = (change: HubChange) => applyChange(state, change, { historyLimit: 8 });
    reduce({ kind: 'devicePut', record: deviceRecord('d1', '2026-01-01T00:00:00.000Z') });
    reduce({ kind: 'twinHistorySet', target: { deviceId: 'd1' }, entries: [entry] });
    expect(state.twinHistory.d1).toEqual([entry]);
    reduce({ kind: 'twinHistorySet', target: { deviceId: 'd1' }, entries: [] });
    expect(state.twinHistory.d1).toBeUndefined();
    reduce({ kind: 'twinHistorySet', target: { deviceId: 'gone' }, entries: [entry] });
    expect(state.twinHistory.gone).toBeUndefined();
  });

  it('is checked like every journal record', () => {
    expect(changesProblem([{ kind: 'twinHistorySet', target: { deviceId: 'd1' }, entries: [entry] }])).toBeUndefined();
    expect(changesProblem([{ kind: 'twinHistorySet', target: { deviceId: 'd1' }, entries: [{ ...entry, version: 'two' }] }])).toMatch(/changes\[0\]\.entries\[0\]\.version/);
  });
});
