import { describe, expect, it } from 'vitest';

import { planRestore, SnapshotService } from '../../../../emulator/services/snapshot-service.js';
import { serviceHarness } from '../../../helpers/service-harness.js';

async function harness() {
  const h = await serviceHarness({ historyLimit: 16 });
  const snapshots = new SnapshotService(h.data, h.connections, h.clock, h.events, h.devices);
  return { ...h, snapshots };
}

/** The parts of the state a snapshot covers, as JSON (own keys only, `__proto__` included). */
function covered(state: { devices: object; modules: object; c2dQueues: object; twinHistory: object }): string {
  return JSON.stringify({ devices: state.devices, modules: state.modules, c2dQueues: state.c2dQueues, twinHistory: state.twinHistory });
}

describe('SnapshotService', () => {
  it('restores devices, modules, twins and change logs exactly, with outside ids such as __proto__', async () => {
    const h = await harness();
    for (const deviceId of ['__proto__', 'constructor', 'plain']) await h.registry.create({ deviceId });
    await h.modules.create({ deviceId: 'plain', moduleId: '__proto__' });
    await h.twins.updateTwin('__proto__', { tags: { a: 1 } });
    await h.twins.patchReported('plain', { t: 1 }, '__proto__');
    const saved = covered(h.state);
    const document = h.snapshots.capture('s');

    await h.twins.updateTwin('__proto__', { tags: { a: 2 } });
    await h.registry.delete('constructor');
    await h.registry.create({ deviceId: 'new' });
    await h.modules.delete('plain', '__proto__');
    expect(covered(h.state)).not.toBe(saved);

    const report = await h.snapshots.restore(JSON.parse(JSON.stringify(document)) as typeof document);
    expect(report).toMatchObject({ created: 1, deleted: 1 });
    // Equal record for record (a re-created device comes last in the map's key order, which nothing reads).
    expect(JSON.parse(covered(h.state))).toEqual(JSON.parse(saved));
    expect(Object.getPrototypeOf(h.state.devices)).toBe(Object.getPrototypeOf({}));
    // Nothing left to do: restoring the same snapshot again writes no change.
    expect(planRestore(h.state, document).changes).toEqual([]);
  });
});
