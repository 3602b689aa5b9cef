import { describe, expect, it } from 'vitest';

import { HubEventBus } from '../../../../emulator/events.js';
import { ConnectionTracker } from '../../../../emulator/services/connection-tracker.js';
import { ManualClock } from '../../../../emulator/util/clock.js';

describe('connection tracker: connections on other cluster nodes', () => {
  const setup = () => {
    const clock = new ManualClock('2026-12-01T10:00:00.000Z');
    const events = new HubEventBus();
    const seen: string[] = [];
    events.on('connectionStateChanged', ({ deviceId, connectionState, remote }) => seen.push(`${deviceId} ${connectionState}${remote ? ' remote' : ''}`));
    return { clock, tracker: new ConnectionTracker(clock, events), seen };
  };

  it('counts a device connected to another node as Connected, with that node’s times, until it leaves there', () => {
    const { tracker, seen } = setup();
    tracker.remoteConnected({ deviceId: 'd1' }, '2026-12-01T09:59:00.000Z');
    expect(tracker.facts({ deviceId: 'd1' })).toEqual({ connectionState: 'Connected', lastActivityTime: '2026-12-01T09:59:00.000Z', connectionStateUpdatedTime: '2026-12-01T09:59:00.000Z' });
    tracker.remoteActivity({ deviceId: 'd1' }, '2026-12-01T09:59:30.000Z');
    tracker.remoteActivity({ deviceId: 'd1' }, '2026-12-01T09:59:10.000Z');
    expect(tracker.facts({ deviceId: 'd1' }).lastActivityTime).toBe('2026-12-01T09:59:30.000Z');
    tracker.remoteDisconnected({ deviceId: 'd1' }, '2026-12-01T09:59:40.000Z');
    expect(tracker.facts({ deviceId: 'd1' })).toMatchObject({ connectionState: 'Disconnected', connectionStateUpdatedTime: '2026-12-01T09:59:40.000Z' });
    expect(seen).toEqual(['d1 Connected remote', 'd1 Disconnected remote']);
  });

  it('keeps its own connections’ events as they were, and raises no remote event while one is open here', () => {
    const { tracker, seen } = setup();
    tracker.connected({ deviceId: 'd1' }, 'mqtt');
    tracker.remoteConnected({ deviceId: 'd1' }, '2026-12-01T10:00:01.000Z');
    tracker.disconnected({ deviceId: 'd1' });
    // The newest connection is on the other node: still Connected here.
    expect(tracker.facts({ deviceId: 'd1' }).connectionState).toBe('Connected');
    expect(tracker.facts({ deviceId: 'd1' })).not.toHaveProperty('transport');
    tracker.remoteDisconnected({ deviceId: 'd1' }, '2026-12-01T10:00:02.000Z');
    expect(tracker.facts({ deviceId: 'd1' }).connectionState).toBe('Disconnected');
    expect(seen).toEqual(['d1 Connected', 'd1 Disconnected', 'd1 Disconnected remote']);
  });

  it('hands the activity of its own connected identities to the cluster node once per call', () => {
    const { clock, tracker } = setup();
    expect(tracker.takeActivity()).toEqual([]);
    tracker.connected({ deviceId: 'd1' });
    tracker.connected({ deviceId: 'd2', moduleId: 'm' });
    clock.advance(5000);
    tracker.touch({ deviceId: 'd1' });
    expect(tracker.takeActivity()).toEqual([['d1', '2026-12-01T10:00:05.000Z'], ['d2/m', '2026-12-01T10:00:00.000Z']]);
    expect(tracker.takeActivity()).toEqual([]);
    tracker.disconnected({ deviceId: 'd1' });
    tracker.touch({ deviceId: 'd1' });
    expect(tracker.takeActivity()).toEqual([]);
  });
});
