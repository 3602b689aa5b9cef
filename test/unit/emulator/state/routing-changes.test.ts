import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { noopLogger } from '../../../../emulator/logger.js';
import type { HubChange } from '../../../../emulator/model/changes.js';
import { emptyHubState } from '../../../../emulator/model/hub-state.js';
import { ROUTING_KEY, type RoutingConfig } from '../../../../emulator/model/routing.js';
import { applyChange } from '../../../../emulator/state/apply-change.js';
import { createStore } from '../../../../emulator/store/create-store.js';
import { changesProblem, stateProblem } from '../../../../emulator/store/record-schema.js';

const ROUTING: RoutingConfig = {
  routes: [{ name: 'hot', source: 'DeviceMessages', condition: '$body.t > 30', endpointNames: ['archive'], isEnabled: true }],
  fallbackEnabled: false,
  endpoints: {
    eventHubs: [{ name: 'extra', entityPath: 'extra-stream', partitionCount: 2 }],
    storageContainers: [{ name: 'archive', containerName: 'hot-archive', maxChunkSizeInBytes: 4096 }],
    webhooks: [{ name: 'hook', url: 'http://localhost:9/x', headers: { 'x-token': 't' } }],
  },
  enrichments: [{ key: 'site', value: '$twin.tags.site', endpointNames: ['archive'] }],
};

const reduce = (state: ReturnType<typeof emptyHubState>, change: HubChange) => applyChange(state, change, { historyLimit: 0 });

describe('The reducer for routing', () => {
  it('replaces the routing with each routingSet, and the records pass the schema', () => {
    const state = emptyHubState();
    const changes: HubChange[] = [{ kind: 'routingSet', routing: ROUTING }];
    expect(changesProblem(changes)).toBeUndefined();
    for (const change of changes) reduce(state, change);
    expect(state.routing[ROUTING_KEY]).toEqual(ROUTING);
    expect(stateProblem(state as unknown as Parameters<typeof stateProblem>[0])).toBeUndefined();
    reduce(state, { kind: 'routingSet', routing: { ...ROUTING, routes: [] } });
    expect(state.routing[ROUTING_KEY]?.routes).toEqual([]);
  });

  it('refuses damaged routing records, naming the field', () => {
    expect(changesProblem([{ kind: 'routingSet', routing: { ...ROUTING, routes: [{ name: 'x', source: 'Telemetry', endpointNames: [], isEnabled: true }] } }])).toMatch(/^changes\[0\]\.routing\.routes\[0\]\.source/);
    expect(changesProblem([{ kind: 'routingSet', routing: { ...ROUTING, enrichments: undefined } }])).toMatch(/^changes\[0\]\.routing\.enrichments/);
  });

  it('replays the routing from the journal, and from a compacted snapshot', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'routing-replay-'));
    try {
      const first = createStore({ persistence: 'file', dataDir: dir, fsync: false, reduce, logger: noopLogger });
      await first.open();
      await first.append([{ kind: 'routingSet', routing: { ...ROUTING, fallbackEnabled: true } }]);
      await first.append([{ kind: 'routingSet', routing: ROUTING }]);
      await first.close();
      const second = createStore({ persistence: 'file', dataDir: dir, fsync: false, reduce, logger: noopLogger });
      expect((await second.open()).routing[ROUTING_KEY]).toEqual(ROUTING);
      await second.close();
      // A tiny compaction threshold folds the journal into hub.json; the snapshot carries the routing map.
      const third = createStore({ persistence: 'file', dataDir: dir, fsync: false, reduce, logger: noopLogger, compactAtBytes: 1 });
      await third.open();
      await third.append([{ kind: 'routingSet', routing: { ...ROUTING, routes: [] } }]);
      await third.close();
      const snapshot = JSON.parse(await readFile(join(dir, 'hub.json'), 'utf8')) as { routing: Record<string, RoutingConfig> };
      expect(snapshot.routing[ROUTING_KEY]?.routes).toEqual([]);
      const fourth = createStore({ persistence: 'file', dataDir: dir, fsync: false, reduce, logger: noopLogger });
      expect((await fourth.open()).routing[ROUTING_KEY]).toEqual({ ...ROUTING, routes: [] });
      await fourth.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
