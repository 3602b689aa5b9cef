// @vitest-environment jsdom
import { act, cleanup, fireEvent, screen, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import type { TrafficEventDto } from '../../../main/contract/index.js';
import { createFakeApi } from '../../api/fake-client.js';
import { renderWithStudio } from '../../test-utils/render.js';
import { TrafficBuffer } from './traffic-buffer.js';
import { byRate, groupByDevice } from './traffic-groups.js';
import { TrafficView } from './TrafficView.js';

let nextId = 1;
function event(partial: Partial<TrafficEventDto>): TrafficEventDto {
  return {
    id: nextId++, time: '2026-01-01T00:00:00.000Z', deviceId: 'dev-1', direction: 'in', protocol: 'mqtt',
    kind: 'telemetry', topic: 'devices/dev-1/messages/events/', payload: '{}', payloadBytes: 2, truncated: false, ...partial,
  };
}

/** `count` telemetry messages of `deviceId` spread evenly over the `seconds` before `now`. */
function burst(deviceId: string, count: number, seconds: number, now: number): TrafficEventDto[] {
  return Array.from({ length: count }, (_, i) => event({ deviceId, time: new Date(now - seconds * 1000 + ((i + 1) * seconds * 1000) / count).toISOString(), topic: `devices/${deviceId}/messages/events/` }));
}

describe('traffic grouped by device', () => {
  it('counts messages per device (a paired exchange is two), in/out and kinds, and rates over the window', () => {
    const now = Date.parse('2026-01-01T00:01:00.000Z');
    const buffer = new TrafficBuffer();
    buffer.add([
      ...burst('b', 30, 60, now), // 0.5/s over 60 s; 6 in the last 10 s (one every 2 s, both ends in)
      ...burst('a', 20, 10, now), // 2/s over 10 s
      event({ deviceId: 'a', kind: 'twin', rid: '1', topic: '$iothub/twin/GET/?$rid=1', time: new Date(now).toISOString() }),
      event({ deviceId: 'a', kind: 'twin', rid: '1', direction: 'out', status: 200, topic: '$iothub/twin/res/200/?$rid=1', time: new Date(now + 1).toISOString() }),
      event({ deviceId: null, kind: 'rest', topic: 'GET /devices', time: new Date(now - 100).toISOString() }),
    ]);
    const groups = groupByDevice(buffer.all(), 10_000, now);
    expect(groups.map((g) => [g.deviceId, g.total, g.recent, g.perSecond, g.in, g.out])).toEqual([
      ['a', 22, 22, 2.2, 21, 1],
      ['b', 30, 6, 0.6, 30, 0],
      ['', 1, 1, 0.1, 1, 0],
    ]);
    expect(groups[0]?.kinds).toEqual({ telemetry: 20, twin: 1, method: 0, c2d: 0, other: 0 });
    expect(groups[0]?.last.request.topic).toBe('$iothub/twin/GET/?$rid=1');
    expect(groups[2]?.kinds.other).toBe(1);
    expect(groupByDevice(buffer.all(), 60_000, now).find((g) => g.deviceId === 'b')?.perSecond).toBe(0.5);
    expect(byRate(groups).map((g) => g.deviceId)).toEqual(['a', 'b', '']);
  });

  describe('in the traffic view at 170 messages/s', () => {
    beforeEach(() => vi.useFakeTimers({ now: Date.parse('2026-01-01T00:10:00.000Z'), toFake: ['Date', 'setInterval', 'clearInterval', 'setTimeout', 'clearTimeout'] }));
    afterEach(() => {
      cleanup();
      vi.useRealTimers();
    });

    it('shows one line per device with rates, refreshed once a second so it stays readable, and opens a device’s rows', async () => {
      const api = createFakeApi();
      const ids = Array.from({ length: 50 }, (_, i) => `dev-${String(i).padStart(2, '0')}`);
      for (const id of ids) api.addDevice(id);
      renderWithStudio(<TrafficView />, api);
      await act(async () => {
        await vi.advanceTimersByTimeAsync(100);
      });
      fireEvent.click(screen.getByRole('button', { name: 'Clear' }));
      // 50 devices; dev-00 sends 13.2/s, the others 3.2/s: 170 messages per second in all, for 10 s.
      const now = Date.now();
      act(() => api.emit('traffic.batch', ids.flatMap((id, i) => burst(id, i === 0 ? 132 : 32, 10, now))));
      fireEvent.click(screen.getByRole('button', { name: 'Group by device' }));
      const table = screen.getByTestId('traffic-groups');
      const rateOf = (id: string) => table.querySelector(`[data-device-id="${id}"] [data-testid="group-rate"]`)?.textContent;
      expect(within(table).getAllByRole('row')).toHaveLength(51);
      expect(rateOf('dev-00')).toBe('13.2');
      expect(rateOf('dev-07')).toBe('3.2');
      expect(screen.getByTestId('traffic-groups-summary').textContent).toBe('50 sources · 170 msg/s in all · updated every second');

      // The next 170 messages within the same second: the figures hold still until the one-second tick.
      act(() => api.emit('traffic.batch', ids.flatMap((id, i) => burst(id, i === 0 ? 10 : 3, 1, now + 1000).map((e) => ({ ...e, time: new Date(now + 900).toISOString() })))));
      expect(table.querySelector('[data-device-id="dev-00"] td:nth-child(4)')?.textContent).toBe('132');
      await act(async () => {
        await vi.advanceTimersByTimeAsync(1000);
      });
      expect(table.querySelector('[data-device-id="dev-00"] td:nth-child(4)')?.textContent).toBe('142');
      // Order stays by device id as rates change; "busiest first" on request.
      expect(within(table).getAllByRole('row')[1]?.getAttribute('data-device-id')).toBe('dev-00');
      fireEvent.change(screen.getByLabelText('Rate window'), { target: { value: '60' } });
      expect(rateOf('dev-00')).toBe('2.4');
      fireEvent.change(screen.getByLabelText('Sort groups'), { target: { value: 'rate' } });
      expect(within(table).getAllByRole('row')[1]?.getAttribute('data-device-id')).toBe('dev-00');

      fireEvent.click(within(table).getByRole('button', { name: 'dev-07' }));
      expect(screen.queryByTestId('traffic-groups')).toBeNull();
      expect((screen.getByLabelText('Device') as HTMLSelectElement).value).toBe('dev-07');
      expect(screen.getByTestId('traffic-count').textContent).toBe('35 rows');
    });
  });
});
