import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import { createSimulationManager, ProfileError, type JsonObject, type SimulationEvent, type SimulationManager } from '../../emulator/index.js';
import { startTestHub, type TestHub } from '../helpers/start-hub.js';
import { eventually } from '../helpers/wait-for.js';

// SimulationManager on a real hub: persistence across restarts, events, removal, and what happens with bad input.

describe('the simulation manager', () => {
  let hub: TestHub | undefined;
  let manager: SimulationManager | undefined;

  afterEach(async () => {
    await manager?.close();
    await hub?.dispose();
    manager = undefined;
    hub = undefined;
  });

  const reported = (deviceId: string) =>
    (hub!.hub.twins.getServiceTwin(deviceId) as { properties: { reported: JsonObject } }).properties.reported;

  it('brings simulations back after a restart with their run states, without re-applying what was applied', async () => {
    hub = await startTestHub();
    manager = await createSimulationManager(hub.hub);
    await manager.create({ deviceId: 'th-run', profile: 'thermostat' });
    await manager.create({ deviceId: 'th-paused', profile: 'thermostat', runState: 'paused' });
    await manager.create({ deviceId: 'th-stopped', profile: 'thermostat', runState: 'stopped' });
    await hub.hub.twins.updateTwin('th-run', { properties: { desired: { targetTemperature: 22 } } });
    await eventually(() => (reported('th-run').targetTemperature as JsonObject | undefined)?.ac === 200, 5000, 'ack');
    const ackVersion = reported('th-run').$version;

    await manager.close();
    await hub.stop();
    hub = await startTestHub({}, hub.dataDir);
    manager = await createSimulationManager(hub.hub);

    expect(manager.list().map((s) => [s.deviceId, s.runState, s.status.state])).toEqual([
      ['th-paused', 'paused', 'paused'],
      ['th-run', 'running', 'running'],
      ['th-stopped', 'stopped', 'stopped'],
    ]);
    await eventually(() => reported('th-run').serialNumber === 'TH-0001' && (reported('th-run').$version as number) > (ackVersion as number), 5000, 'boot report');
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(reported('th-run').targetTemperature).toMatchObject({ value: 22, ac: 200 });
    expect(manager.get('th-run')?.status.counters).toMatchObject({ connects: 1, desiredApplied: 0, reported: 1 });
    expect(hub.hub.twins.getServiceTwin('th-paused')).toMatchObject({ connectionState: 'Connected' });
    expect(hub.hub.twins.getServiceTwin('th-stopped')).toMatchObject({ connectionState: 'Disconnected' });
  });

  it('tells listeners about changes, and removes a simulation with or without its device identity', async () => {
    hub = await startTestHub();
    manager = await createSimulationManager(hub.hub);
    const events: SimulationEvent[] = [];
    manager.onChange((event) => events.push(event));
    await manager.create({ deviceId: 'a', profile: 'smart-plug' });
    await manager.create({ deviceId: 'b', profile: 'smart-plug' });
    await eventually(() => events.some((e) => e.type === 'changed' && e.simulation.deviceId === 'a' && e.simulation.status.state === 'running'), 3000, 'event');
    await manager.stop('a');
    expect(manager.get('a')?.status.state).toBe('stopped');
    await manager.remove('a');
    await manager.remove('b', { deleteDevice: true });
    expect(events).toContainEqual({ type: 'removed', deviceId: 'a' });
    expect(manager.list()).toEqual([]);
    expect(hub.hub.registry.find('a')).toBeDefined();
    expect(hub.hub.registry.find('b')).toBeUndefined();
    const stored = JSON.parse(await readFile(join(hub.dataDir, 'simulations.json'), 'utf8')) as { simulations: object; profiles: object };
    expect(stored).toMatchObject({ simulations: {}, profiles: {} });
  });

  it('refuses invalid profiles and ids before storing anything', async () => {
    hub = await startTestHub();
    manager = await createSimulationManager(hub.hub);
    await expect(manager.create({ deviceId: 'x', profile: { name: 'x', telemetry: { intervalMs: 1 } } })).rejects.toBeInstanceOf(ProfileError);
    await expect(manager.create({ deviceId: 'bad id', profile: 'thermostat' })).rejects.toThrow(/device id 'bad id' is invalid/);
    await manager.create({ deviceId: 'dup', profile: 'thermostat', runState: 'stopped' });
    await expect(manager.create({ deviceId: 'dup', profile: 'thermostat' })).rejects.toThrow('a simulation for dup already exists');
    await expect(manager.start('ghost')).rejects.toThrow('there is no simulation for ghost');
    expect(manager.list().map((s) => s.deviceId)).toEqual(['dup']);
  });

  it('shows a stored profile that no longer validates as an error instead of failing to start', async () => {
    hub = await startTestHub();
    manager = await createSimulationManager(hub.hub);
    await manager.create({ deviceId: 'old', profile: 'thermostat', runState: 'stopped' });
    await manager.close();
    const path = join(hub.dataDir, 'simulations.json');
    const document = JSON.parse(await readFile(path, 'utf8')) as { profiles: Record<string, { telemetry: { intervalMs: number } }> };
    for (const profile of Object.values(document.profiles)) profile.telemetry.intervalMs = 5;
    await writeFile(path, JSON.stringify(document));
    manager = await createSimulationManager(hub.hub);
    expect(manager.get('old')).toMatchObject({
      status: { state: 'error' },
      profileError: expect.stringContaining('telemetry.intervalMs: must be at least 100 ms'),
    });
    await manager.setProfile('old', 'smart-plug');
    expect(manager.get('old')).toMatchObject({ profileName: 'smart-plug', status: { state: 'stopped' } });
  });
});
