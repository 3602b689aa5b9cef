import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { BehaviourRunner } from '../../../../emulator/simulation/behaviour-runner.js';
import { DeviceModel } from '../../../../emulator/simulation/device-model.js';
import { HeldDesiredChanges } from '../../../../emulator/simulation/held-desired.js';
import { parseProfile } from '../../../../emulator/simulation/parse-profile.js';
import { ManualClock } from '../../../../emulator/util/clock.js';
import { FakeChannel, FakeHost } from './fake-channel.js';

// "Apply on click" in the behaviour layer: held desired reactions, newest value per property, run only on apply.

function setup() {
  const model = new DeviceModel(parseProfile({ name: 'test', desired: { properties: { target: { delayMs: 100, description: 'ok' }, mode: { ack: 'mirror' } } } }), 'dev-1', new ManualClock());
  const channel = new FakeChannel();
  const host = new FakeHost();
  const held = new HeldDesiredChanges();
  held.setEnabled(true);
  return { model, channel, host, held, runner: new BehaviourRunner(model, channel, host, held, () => '2026-01-01T00:00:00.000Z') };
}

describe('apply on click', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('holds the newest value per property, reports nothing until apply, then acks each with the $version it came with', async () => {
    const { channel, host, held, runner, model } = setup();
    await runner.start();
    runner.onDesired(channel.desire({ target: 20 }));
    runner.onDesired(channel.desire({ mode: 'eco' }));
    runner.onDesired(channel.desire({ target: 22 }));
    await vi.advanceTimersByTimeAsync(1000);
    expect(channel.reportedPatches).toEqual([]);
    expect(model.applied.size).toBe(0);
    expect(held.list()).toEqual([
      { property: 'mode', value: 'eco', version: 3, receivedAt: '2026-01-01T00:00:00.000Z' },
      { property: 'target', value: 22, version: 4, receivedAt: '2026-01-01T00:00:00.000Z' },
    ]);
    expect(host.kinds().filter((kind) => kind === 'desiredHeld')).toHaveLength(3);

    runner.applyHeld();
    await vi.advanceTimersByTimeAsync(100);
    expect(channel.reportedPatches).toEqual([{ mode: 'eco' }, { target: { value: 22, ac: 200, av: 4, ad: 'ok' } }]);
    expect(held.list()).toEqual([]);
  });

  it('holds the re-sync after a reconnect too, and keeps what is held while paused', async () => {
    const { channel, held, runner } = setup();
    channel.desire({ target: 30 });
    await runner.start();
    expect(held.list().map((change) => [change.property, change.value, change.version])).toEqual([['target', 30, 2]]);
    runner.pause();
    runner.applyHeld();
    expect(held.list()).toHaveLength(1);
    held.setEnabled(false);
    await runner.resume();
    runner.applyHeld();
    await vi.advanceTimersByTimeAsync(100);
    expect(channel.reportedPatches.filter((patch) => 'target' in patch)).toEqual([{ target: { value: 30, ac: 200, av: 2, ad: 'ok' } }]);
  });
});
