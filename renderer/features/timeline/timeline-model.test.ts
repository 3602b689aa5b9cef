import { describe, expect, it } from 'vitest';

import type { TwinHistoryEntry } from '../../../emulator/model/twin-history.js';
import { diffVersions, propertyHistory, versionsOf, writerLabel } from './timeline-model.js';

// A twin at version 4 after: v2 studio tags, v3 service desired fan, v4 device reported fan (inverses as the hub
// computes them).
const entries: TwinHistoryEntry[] = [
  { version: 2, time: 't2', writer: 'studio', changes: { tags: { mode: 'merge', patch: { plant: 'Redmond43' } } }, inverse: { tags: { plant: null } }, desiredVersion: 1, reportedVersion: 1 },
  {
    version: 3, time: 't3', writer: 'service:iothubowner', changes: { desired: { mode: 'merge', patch: { fan: true } } }, inverse: { desired: { fan: null } }, desiredVersion: 2, reportedVersion: 1,
    metadataInverse: { desired: { $lastUpdated: 't1', $lastUpdatedVersion: 1, fan: null } },
  },
  {
    version: 4, time: 't4', writer: 'device:d1', changes: { reported: { mode: 'merge', patch: { fan: true } } }, inverse: { reported: { fan: null } }, desiredVersion: 2, reportedVersion: 2,
    metadataInverse: { reported: { $lastUpdated: 't1', fan: null } },
  },
];
const current = {
  version: 4,
  tags: { plant: 'Redmond43' },
  desired: { fan: true, $version: 2 },
  reported: { fan: true, $version: 2 },
  metadata: {
    desired: { $lastUpdated: 't3', $lastUpdatedVersion: 2, fan: { $lastUpdated: 't3', $lastUpdatedVersion: 2 } },
    reported: { $lastUpdated: 't4', fan: { $lastUpdated: 't4' } },
  },
};

describe('timeline model', () => {
  const views = versionsOf(current, entries);

  it('rebuilds every version the log reaches, with $metadata', () => {
    expect(views.map((view) => view.version)).toEqual([1, 2, 3, 4]);
    expect(views[0]).toMatchObject({ tags: {}, desired: { $version: 1 }, reported: { $version: 1 }, desiredMetadata: { $lastUpdated: 't1', $lastUpdatedVersion: 1 } });
    expect(views[2]).toMatchObject({ tags: { plant: 'Redmond43' }, desired: { fan: true, $version: 2 }, reported: { $version: 1 }, reportedMetadata: { $lastUpdated: 't1' } });
    expect(views[2]?.reported).not.toHaveProperty('fan');
  });

  it('lists the changed paths between two versions', () => {
    expect(diffVersions(views[0] as never, views[3] as never).map((change) => change.path)).toEqual([
      'properties.desired.$version', 'properties.desired.fan', 'properties.reported.$version', 'properties.reported.fan', 'tags.plant',
    ]);
    expect(diffVersions(views[2] as never, views[3] as never)).toEqual([
      { path: 'properties.reported.$version', before: 1, after: 2 },
      { path: 'properties.reported.fan', before: undefined, after: true },
    ]);
  });

  it('says when a property changed and who changed it, newest first', () => {
    expect(propertyHistory(views, 'properties.desired.fan')).toEqual([{ version: 3, time: 't3', writer: 'service:iothubowner', before: undefined, after: true }]);
    expect(propertyHistory(views, 'tags').map((change) => change.writer)).toEqual(['studio']);
    expect(writerLabel('service:iothubowner')).toBe('back end (policy iothubowner)');
  });

  it('stops at a gap and drops $metadata behind an entry without metadata inverses', () => {
    const old = [{ ...entries[0], version: 3 } as TwinHistoryEntry, { ...entries[2], metadataInverse: undefined } as unknown as TwinHistoryEntry];
    const partial = versionsOf(current, old);
    expect(partial.map((view) => view.version)).toEqual([2, 3, 4]);
    expect(partial[1]?.reportedMetadata).toBeUndefined();
  });
});
