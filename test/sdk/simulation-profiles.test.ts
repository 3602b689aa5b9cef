import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createSimulationManager, type JsonObject, type SimulationManager } from '../../emulator/index.js';
import { startTestHub, type TestHub } from '../helpers/start-hub.js';
import { eventually } from '../helpers/wait-for.js';

// The smart-plug and firmware-update built-in profiles on a real hub: mirroring, failing methods, and a long flow
// that reports progress, reboots and acknowledges after the reboot.

describe('the built-in smart-plug and firmware-update profiles', () => {
  let hub: TestHub;
  let manager: SimulationManager;

  beforeAll(async () => {
    hub = await startTestHub();
    manager = await createSimulationManager(hub.hub);
  });

  afterAll(async () => {
    await manager?.close();
    await hub?.dispose();
  });

  const reported = (deviceId: string) =>
    (hub.hub.twins.getServiceTwin(deviceId) as { properties: { reported: JsonObject } }).properties.reported;
  const invoke = (deviceId: string, methodName: string) =>
    hub.hub.methods.invoke({ deviceId, methodName, payload: null, responseTimeoutInSeconds: 10, connectTimeoutInSeconds: 0 });

  it('mirrors powerState, ignores values it cannot mirror, and answers failing and unknown commands', async () => {
    await manager.create({ deviceId: 'plug-1', profile: 'smart-plug' });
    await eventually(() => reported('plug-1').powerState === 'on', 5000, 'start-up powerState');
    await hub.hub.twins.updateTwin('plug-1', { properties: { desired: { powerState: 'off' } } });
    await eventually(() => reported('plug-1').powerState === 'off', 5000, 'mirrored powerState');
    await hub.hub.twins.updateTwin('plug-1', { properties: { desired: { powerState: 'dim' } } });
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(reported('plug-1').powerState).toBe('off');
    expect(await invoke('plug-1', 'turnOn')).toEqual({ status: 200, payload: { powerState: 'on' } });
    await eventually(() => reported('plug-1').powerState === 'on', 5000, 'turnOn report');
    expect(await invoke('plug-1', 'selfTest')).toEqual({ status: 500, payload: { error: 'relay stuck', code: 'E_RELAY' } });
    expect(await invoke('plug-1', 'explode')).toEqual({ status: 404, payload: { message: 'unknown command' } });
  });

  it('runs the firmware update: 202, progress, reboot, new version, 200', async () => {
    await manager.create({ deviceId: 'fw-1', profile: 'firmware-update' });
    await eventually(() => reported('fw-1').firmwareVersion === '1.0.0', 5000, 'start-up version');
    const seen = new Set<string>();
    const progress: number[] = [];
    const stop = hub.hub.events.on('twinUpdated', ({ deviceId }) => {
      if (deviceId !== 'fw-1') return;
      const update = reported('fw-1').firmwareUpdate as JsonObject | undefined;
      if (typeof update?.status === 'string') seen.add(update.status);
      if (typeof update?.progress === 'number' && progress.at(-1) !== update.progress) progress.push(update.progress);
    });
    try {
      await hub.hub.twins.updateTwin('fw-1', { properties: { desired: { firmware: { version: '2.0.0', url: 'https://example.com/fw-2.0.0.bin' } } } });
      await eventually(() => (reported('fw-1').firmware as JsonObject | undefined)?.ac === 202, 5000, 'pending ack');
      await eventually(() => (reported('fw-1').firmware as JsonObject | undefined)?.ac === 200, 20_000, 'final ack');
    } finally {
      stop();
    }
    expect(progress).toEqual([0, 25, 50, 75, 100]);
    expect([...seen]).toEqual(expect.arrayContaining(['downloading', 'installing', 'rebooting', 'current']));
    expect(reported('fw-1')).toMatchObject({
      firmwareVersion: '2.0.0',
      firmwareUpdate: { status: 'current', targetVersion: '2.0.0' },
      firmware: { value: { version: '2.0.0' }, ac: 200, ad: 'firmware installed' },
    });
    expect(manager.get('fw-1')?.status.counters.connects).toBe(2);
  }, 30_000);

  it('refuses a broken image with ac 500 and keeps the old firmware', async () => {
    await hub.hub.twins.updateTwin('fw-1', { properties: { desired: { firmware: { version: '0.0.0-broken' } } } });
    await eventually(() => (reported('fw-1').firmware as JsonObject | undefined)?.ac === 500, 5000, 'refusal');
    expect(reported('fw-1').firmware).toMatchObject({ value: { version: '2.0.0' }, ad: 'image signature check failed' });
    expect(reported('fw-1').firmwareVersion).toBe('2.0.0');
  });
});
