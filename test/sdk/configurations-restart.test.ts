import { describe, expect, it } from 'vitest';

import { startTestHub } from '../helpers/start-hub.js';
import { eventually } from '../helpers/wait-for.js';

// Configurations across a restart, and module configurations (moduleContent), through the front door's FleetApi
// (the same service and checks as /configurations; no port 443 needed).

type Twin = { properties: { desired: Record<string, unknown> }; configurations?: Record<string, { status: string }> };

describe('configurations', () => {
  it('survive a restart with their etag and the twins\' status, and a later tag change still moves a device out', async () => {
    let hub = await startTestHub({ fleet: { configurationIntervalMs: 0 } });
    try {
      await hub.hub.registry.create({ deviceId: 'r1' });
      await hub.hub.twins.updateTwin('r1', { tags: { ring: 1 } });
      const created = await hub.hub.fleet.putConfiguration('ring1', { priority: 2, targetCondition: 'tags.ring = 1', content: { deviceContent: { 'properties.desired.fw': '2.0' } } });
      await hub.hub.configurationsSettled();
      expect((hub.hub.twins.getServiceTwin('r1') as unknown as Twin).configurations).toEqual({ ring1: { status: 'Applied' } });
      await hub.stop();
      hub = await startTestHub({ fleet: { configurationIntervalMs: 0 } }, hub.dataDir);
      const [listed] = hub.hub.fleet.listConfigurations();
      expect(listed).toMatchObject({ id: 'ring1', etag: created.etag, createdTimeUtc: created.createdTimeUtc, systemMetrics: { results: { targetedCount: 1, appliedCount: 1 } } });
      expect(hub.hub.twins.getServiceTwin('r1') as unknown as Twin).toMatchObject({ properties: { desired: { fw: '2.0' } }, configurations: { ring1: { status: 'Applied' } } });
      await hub.hub.twins.updateTwin('r1', { tags: { ring: 2 } });
      await eventually(() => (hub.hub.twins.getServiceTwin('r1') as unknown as Twin).configurations === undefined, 5000, 'r1 left ring1');
      expect((hub.hub.twins.getServiceTwin('r1') as unknown as Twin).properties.desired.fw).toBeUndefined();
    } finally {
      await hub.dispose();
    }
  });

  it('with moduleContent apply to the module twins their condition selects, not to device twins', async () => {
    const hub = await startTestHub({ fleet: { configurationIntervalMs: 0 } });
    try {
      await hub.hub.registry.create({ deviceId: 'm-dev' });
      await hub.hub.modules.create({ deviceId: 'm-dev', moduleId: 'sensor' });
      await hub.hub.modules.create({ deviceId: 'm-dev', moduleId: 'other' });
      await hub.hub.fleet.putConfiguration('sensors', { priority: 1, targetCondition: "moduleId = 'sensor'", content: { moduleContent: { 'properties.desired.rate': 5 } } });
      await hub.hub.configurationsSettled();
      const sensor = hub.hub.twins.getServiceTwin('m-dev', 'sensor') as unknown as Twin;
      expect(sensor).toMatchObject({ properties: { desired: { rate: 5 } }, configurations: { sensors: { status: 'Applied' } } });
      expect((hub.hub.twins.getServiceTwin('m-dev', 'other') as unknown as Twin).properties.desired.rate).toBeUndefined();
      expect((hub.hub.twins.getServiceTwin('m-dev') as unknown as Twin).properties.desired.rate).toBeUndefined();
      expect(hub.hub.fleet.listConfigurations()[0]).toMatchObject({
        systemMetrics: { results: { targetedCount: 1, appliedCount: 1 }, queries: { targetedCount: "SELECT deviceId FROM devices.modules WHERE moduleId = 'sensor'" } },
      });
      await expect(hub.hub.fleet.putConfiguration('Bad Id', { content: { deviceContent: {} } })).rejects.toThrow(/invalid/);
      await expect(hub.hub.fleet.putConfiguration('two-kinds', { content: { deviceContent: {}, moduleContent: {} } })).rejects.toThrow(/exactly one/);
      await expect(hub.hub.fleet.putConfiguration('bad-key', { content: { deviceContent: { 'tags.x': 1 } } })).rejects.toThrow(/properties.desired/);
    } finally {
      await hub.dispose();
    }
  });
});
