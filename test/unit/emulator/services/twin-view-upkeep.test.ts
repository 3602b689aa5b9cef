import { describe, expect, it } from 'vitest';

import type { JsonObject } from '../../../../emulator/model/json.js';
import { twinRuntime } from '../../../../emulator/services/twin-runtime.js';
import { TwinViewUpkeep } from '../../../../emulator/services/twin-view-upkeep.js';
import { serviceTwin } from '../../../../emulator/twin/twin-views.js';
import { TwinQueries } from '../../../../emulator/views/twin-queries.js';
import { TwinViewIndex } from '../../../../emulator/views/twin-view-index.js';
import { serviceHarness } from '../../../helpers/service-harness.js';
import { eventually } from '../../../helpers/wait-for.js';

async function hubWithViews() {
  const hub = await serviceHarness();
  const runtime = twinRuntime(hub.registry, hub.modules);
  const upkeep = new TwinViewUpkeep(hub.state, new TwinViewIndex(), runtime, hub.store, hub.events);
  /** What the views must equal: every committed twin, rebuilt from scratch. */
  const expected = (): JsonObject[] => [
    ...Object.values(hub.state.devices).map((record) => serviceTwin(record, runtime(record))),
    ...Object.values(hub.state.modules).flatMap((modules) => Object.values(modules).map((record) => serviceTwin(record, runtime(record)))),
  ];
  const actual = (): JsonObject[] => [...upkeep.index];
  return { hub, upkeep, expected, actual };
}

const byKey = (twins: JsonObject[]) => Object.fromEntries(twins.map((twin) => [`${String(twin.deviceId)}/${String(twin.moduleId ?? '')}`, twin]));

describe('TwinViewUpkeep keeps the query views equal to the committed state', () => {
  it('after creates, twin writes, module changes, C2D, connection changes and deletes', async () => {
    const { hub, upkeep, expected, actual } = await hubWithViews();
    await hub.registry.create({ deviceId: 'a' });
    await hub.registry.create({ deviceId: 'b' });
    await hub.modules.create({ deviceId: 'a', moduleId: 'm' });
    await hub.twins.updateTwin('a', { tags: { site: 'x' }, properties: { desired: { t: 1 } } });
    await hub.twins.patchReported('a', { t: 1 }, 'm');
    hub.connections.connected({ deviceId: 'b' });
    expect(byKey(actual())).toEqual(byKey(expected()));
    expect(upkeep.index.get('b')).toMatchObject({ connectionState: 'Connected' });
    await hub.modules.delete('a', 'm');
    await hub.registry.delete('b');
    expect(byKey(actual())).toEqual(byKey(expected()));
    expect(upkeep.index.size).toBe(1);
    upkeep.close();
  });

  it('fills the index of a hub that already has twins, in the background or at the first query', async () => {
    const { hub } = await hubWithViews();
    for (let i = 0; i < 2500; i++) await hub.registry.create({ deviceId: `d${i}` });
    const runtime = twinRuntime(hub.registry, hub.modules);
    const later = new TwinViewUpkeep(hub.state, new TwinViewIndex(), runtime, hub.store, hub.events);
    expect(later.index.size).toBe(0);
    later.ensureComplete();
    expect(later.index.size).toBe(2500);
    const queries = new TwinQueries(later.index);
    expect(queries.run("SELECT deviceId FROM devices WHERE deviceId = 'd2499'").items).toEqual([{ deviceId: 'd2499' }]);
    // Without a query the index fills on its own, in slices between other work: wait for it (no fixed delay, so a
    // loaded machine only makes it slower).
    const background = new TwinViewUpkeep(hub.state, new TwinViewIndex(), runtime, hub.store, hub.events);
    await eventually(() => background.index.size === 2500, 10_000, 'the background fill');
    later.close();
    background.close();
  });
});
