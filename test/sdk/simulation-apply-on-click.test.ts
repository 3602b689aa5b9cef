import { afterEach, describe, expect, it } from 'vitest';

import { createSimulationManager, type JsonObject, type SimulationManager } from '../../emulator/index.js';
import { startTestHub, type TestHub } from '../helpers/start-hub.js';
import { eventually, waitForTraffic } from '../helpers/wait-for.js';

// "Apply on click" (issue 18): a simulated device receives desired changes but applies and reports them only when
// the trainer clicks "apply". Two thermostats get the same change; only the one without the switch acknowledges it.

describe('apply on click for simulated devices', () => {
  let hub: TestHub | undefined;
  let manager: SimulationManager | undefined;

  afterEach(async () => {
    await manager?.close();
    await hub?.dispose();
    manager = undefined;
    hub = undefined;
  });

  const reported = (deviceId: string) => (hub!.hub.twins.getServiceTwin(deviceId) as { properties: { reported: JsonObject } }).properties.reported;
  const target = (deviceId: string) => reported(deviceId).targetTemperature as JsonObject | undefined;

  it('holds a received desired change, leaves reported unchanged until apply, then acknowledges it with its $version', async () => {
    hub = await startTestHub();
    manager = await createSimulationManager(hub.hub);
    await manager.create({ deviceId: 'th-click', profile: 'thermostat' });
    await manager.create({ deviceId: 'th-auto', profile: 'thermostat' });
    await eventually(() => reported('th-click').serialNumber === 'TH-0001' && reported('th-auto').serialNumber !== undefined, 10_000, 'both booted');
    expect(manager.setApplyOnClick('th-click', true).status.applyOnClick).toEqual({ held: [] });

    const mark = hub.hub.tap.snapshot().at(-1)?.id ?? 0;
    await hub.hub.twins.updateTwin('th-click', { properties: { desired: { targetTemperature: 25 } } });
    await hub.hub.twins.updateTwin('th-auto', { properties: { desired: { targetTemperature: 25 } } });
    const desiredVersion = (hub.hub.twins.getServiceTwin('th-click') as { properties: { desired: { $version: number } } }).properties.desired.$version;

    // The device did get the notification…
    await waitForTraffic(hub.hub, (event) => event.id > mark && event.deviceId === 'th-click' && event.direction === 'out' && event.topic.startsWith('$iothub/twin/PATCH/properties/desired'));
    await eventually(() => (manager!.get('th-click')?.status.applyOnClick?.held.length ?? 0) === 1, 5000, 'the change held');
    expect(manager.get('th-click')?.status.applyOnClick?.held).toEqual([{ property: 'targetTemperature', value: 25, version: desiredVersion, receivedAt: expect.any(String) as string }]);
    // …and by the time its twin without the switch has applied and acknowledged the change (1 s delay), it has not.
    await eventually(() => target('th-auto')?.ac === 200, 10_000, 'th-auto acknowledged');
    expect(target('th-auto')).toMatchObject({ value: 25, ac: 200 });
    expect(target('th-click')).toBeUndefined();
    expect(manager.get('th-click')?.status.counters.desiredApplied).toBe(0);

    manager.applyDesired('th-click');
    expect(manager.get('th-click')?.status.applyOnClick?.held).toEqual([]);
    await eventually(() => target('th-click')?.ac === 200, 10_000, 'th-click acknowledged after apply');
    expect(target('th-click')).toMatchObject({ value: 25, ac: 200, av: desiredVersion });
    // The counter moves when the device sees its report answered, a moment after the twin has it.
    await eventually(() => manager!.get('th-click')?.status.counters.desiredApplied === 1, 5000, 'counted as applied');

    // Switching it off applies what waits and goes back to applying at once.
    await hub.hub.twins.updateTwin('th-click', { properties: { desired: { targetTemperature: 26 } } });
    await eventually(() => (manager!.get('th-click')?.status.applyOnClick?.held.length ?? 0) === 1, 5000, 'the second change held');
    expect(manager.setApplyOnClick('th-click', false).status.applyOnClick).toBeUndefined();
    await eventually(() => target('th-click')?.value === 26 && target('th-click')?.ac === 200, 10_000, 'applied when switched off');
  });

  it('refuses the switch for a device that is not simulated', async () => {
    hub = await startTestHub();
    manager = await createSimulationManager(hub.hub);
    expect(() => manager!.setApplyOnClick('nobody', true)).toThrow('no simulation for nobody');
    expect(() => manager!.applyDesired('nobody')).toThrow('no simulation for nobody');
  });
});
