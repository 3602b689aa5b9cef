import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { ManualClock } from '../../../../emulator/util/clock.js';
import type { DeviceLinkHandlers } from '../../../../emulator/simulation/device-link.js';
import { parseProfile } from '../../../../emulator/simulation/parse-profile.js';
import {
  SimulatedDevice,
  type ConnectedLink,
  type DeviceConnector,
  type SimulationState,
} from '../../../../emulator/simulation/simulated-device.js';
import { FakeChannel } from './fake-channel.js';

/** A connector whose links are FakeChannels; `refuse` makes the next connects fail. */
class FakeConnector implements DeviceConnector {
  readonly links: (FakeChannel & { closed: 'no' | 'graceful' | 'drop' })[] = [];
  handlers: DeviceLinkHandlers | undefined;
  refuse = 0;
  modelIds: (string | undefined)[] = [];

  async connect(_deviceId: string, modelId: string | undefined, handlers: DeviceLinkHandlers): Promise<ConnectedLink> {
    this.modelIds.push(modelId);
    if (this.refuse > 0) {
      this.refuse--;
      throw new Error('connect failed: Connection refused: Not authorized');
    }
    this.handlers = handlers;
    const link = Object.assign(new FakeChannel(), { closed: 'no' as 'no' | 'graceful' | 'drop' });
    this.links.push(link);
    return Object.assign(link, {
      close: async () => void (link.closed = 'graceful'),
      drop: () => void (link.closed = 'drop'),
    });
  }
}

function device(profile: Record<string, unknown>, connector = new FakeConnector()) {
  const states: SimulationState[] = [];
  const sim = new SimulatedDevice('dev-1', parseProfile({ name: 'test', ...profile }), connector, {
    clock: new ManualClock(),
    onChange: (status) => {
      if (states.at(-1) !== status.state) states.push(status.state);
    },
  });
  return { sim, connector, states };
}

describe('a simulated device', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('connects with its model id, runs, and stops gracefully', async () => {
    const { sim, connector, states } = device({ modelId: 'dtmi:com:example:Thermostat;1', reported: { onStart: { a: 1 } } });
    await sim.start();
    expect(connector.modelIds).toEqual(['dtmi:com:example:Thermostat;1']);
    expect(connector.links[0]?.reportedPatches).toEqual([{ a: 1 }]);
    expect(sim.status.counters).toMatchObject({ connects: 1, reported: 1 });
    await sim.stop();
    expect(connector.links[0]?.closed).toBe('graceful');
    expect(states).toEqual(['connecting', 'running', 'stopped']);
  });

  it('goes offline and back online on its connectivity schedule', async () => {
    const { sim, connector, states } = device({ connectivity: { onlineMs: 5000, offlineMs: 2000 } });
    await sim.start();
    await vi.advanceTimersByTimeAsync(5000);
    expect(sim.status.state).toBe('offline');
    expect(connector.links[0]?.closed).toBe('graceful');
    await vi.advanceTimersByTimeAsync(2000);
    expect(sim.status.state).toBe('running');
    expect(connector.links).toHaveLength(2);
    expect(states).toEqual(['connecting', 'running', 'offline', 'connecting', 'running']);
    await sim.stop();
  });

  it('drops its connection on purpose (no DISCONNECT) and reconnects after offlineMs', async () => {
    const { sim, connector } = device({ faults: { dropConnection: { everyMs: 10_000, offlineMs: 1000 } } });
    await sim.start();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(connector.links[0]?.closed).toBe('drop');
    expect(sim.status.state).toBe('offline');
    await vi.advanceTimersByTimeAsync(1000);
    expect(sim.status.state).toBe('running');
    await sim.stop();
  });

  it('goes offline when a reboot step asks for it', async () => {
    const { sim, connector } = device({ methods: { reboot: { steps: [{ disconnect: { offlineMs: 3000 } }] } } });
    await sim.start();
    connector.handlers?.onMethod?.({ name: 'reboot', rid: '1', payload: null });
    await vi.advanceTimersByTimeAsync(10);
    expect(connector.links[0]?.methodAnswers).toEqual([{ rid: '1', status: 200, payload: null }]);
    expect(sim.status.state).toBe('offline');
    await vi.advanceTimersByTimeAsync(3000);
    expect(sim.status.state).toBe('running');
    expect(sim.status.counters.connects).toBe(2);
    await sim.stop();
  });

  it('retries a refused connection with backoff and shows the error meanwhile', async () => {
    const connector = new FakeConnector();
    connector.refuse = 2;
    const { sim } = device({}, connector);
    await sim.start();
    expect(sim.status).toMatchObject({ state: 'error', lastError: 'connect failed: Connection refused: Not authorized' });
    await vi.advanceTimersByTimeAsync(1000);
    expect(sim.status.state).toBe('error');
    await vi.advanceTimersByTimeAsync(2000);
    expect(sim.status.state).toBe('running');
    expect(sim.status.lastError).toBeUndefined();
    await sim.stop();
  });

  it('reconnects after the hub closes the connection', async () => {
    const { sim, connector } = device({});
    await sim.start();
    connector.handlers?.onLost?.(undefined);
    expect(sim.status).toMatchObject({ state: 'offline', lastError: 'connection lost' });
    await vi.advanceTimersByTimeAsync(1000);
    expect(sim.status.state).toBe('running');
    await sim.stop();
  });

  it('pauses (staying connected, no telemetry, no schedule) and resumes', async () => {
    const { sim, connector } = device({ telemetry: { intervalMs: 1000, body: { t: 1 } }, connectivity: { onlineMs: 1500, offlineMs: 100 } });
    await sim.start();
    await sim.pause();
    await vi.advanceTimersByTimeAsync(5000);
    expect(sim.status.state).toBe('paused');
    expect(connector.links[0]?.closed).toBe('no');
    expect(connector.links[0]?.telemetry).toEqual([]);
    await sim.start();
    await vi.advanceTimersByTimeAsync(1000);
    expect(connector.links[0]?.telemetry).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(500);
    expect(sim.status.state).toBe('offline');
    await sim.stop();
  });

  it('connects frozen when paused from stopped', async () => {
    const { sim, connector } = device({ reported: { onStart: { a: 1 } }, telemetry: { intervalMs: 100, body: { t: 1 } } });
    await sim.pause();
    await vi.advanceTimersByTimeAsync(1000);
    expect(sim.status.state).toBe('paused');
    expect(connector.links[0]?.reportedPatches).toEqual([]);
    await sim.start();
    await vi.advanceTimersByTimeAsync(100);
    expect(connector.links[0]?.reportedPatches).toEqual([{ a: 1 }]);
    expect(connector.links[0]?.telemetry).toHaveLength(1);
    await sim.stop();
  });

  it('does nothing more after stop, even with timers and reconnects pending', async () => {
    const { sim, connector } = device({ telemetry: { intervalMs: 100, body: { t: 1 } }, faults: { dropConnection: { everyMs: 1000, offlineMs: 10 } } });
    await sim.start();
    await sim.stop();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(connector.links).toHaveLength(1);
    expect(connector.links[0]?.telemetry).toEqual([]);
    expect(sim.status.state).toBe('stopped');
  });
});
