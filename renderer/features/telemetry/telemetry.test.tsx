// @vitest-environment jsdom
import { act, cleanup, fireEvent, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';

import type { TrafficEventDto } from '../../../main/contract/index.js';
import { renderWithStudio } from '../../test-utils/render.js';
import { TrafficBuffer } from '../traffic/traffic-buffer.js';
import { chartData, telemetryFields } from './telemetry-series.js';
import { TelemetryPanel } from './TelemetryPanel.js';

afterEach(cleanup);

let id = 1;
function telemetry(deviceId: string, payload: string, msAgo: number): TrafficEventDto {
  return {
    id: id++, time: new Date(Date.now() - msAgo).toISOString(), deviceId, direction: 'in', protocol: 'mqtt', kind: 'telemetry',
    topic: `devices/${deviceId}/messages/events/`, payload, payloadBytes: payload.length, truncated: false,
  };
}

describe('telemetry', () => {
  it('finds the numeric fields of a device\'s JSON messages in the time window, nested ones flattened', () => {
    const buffer = new TrafficBuffer();
    buffer.add([
      telemetry('t1', '{"temperature": 20, "env": {"humidity": 40}, "on": true, "label": "x"}', 120_000),
      telemetry('t1', 'not json', 60_000),
      telemetry('t2', '{"temperature": 99}', 30_000),
      telemetry('t1', '{"temperature": 21.5}', 10_000),
    ]);
    const fields = telemetryFields(buffer.all(), 't1', Date.now() - 5 * 60_000);
    expect(fields.map((field) => [field.path, field.latest, field.values])).toEqual([
      ['env.humidity', 40, [40]],
      ['on', 1, [1]],
      ['temperature', 21.5, [20, 21.5]],
    ]);
    expect(telemetryFields(buffer.all(), 't1', Date.now() - 60_000).map((field) => field.path)).toEqual(['temperature']);
    const [times, humidity, temperature] = chartData([fields[0]!, fields[2]!]);
    expect(times).toHaveLength(2);
    expect(humidity).toEqual([40, null]);
    expect(temperature).toEqual([20, 21.5]);
  });

  it('lists the latest values live and charts the picked fields', async () => {
    const { api } = renderWithStudio(<TelemetryPanel deviceId="t1" />);
    await screen.findByText(/No JSON telemetry from t1/);
    act(() => api.emit('traffic.batch', [telemetry('t1', '{"temperature": 20, "rpm": 1200}', 2000)]));
    const table = await screen.findByTestId('telemetry-latest');
    act(() => api.emit('traffic.batch', [telemetry('t1', '{"temperature": 22.5}', 1000)]));
    const row = () => [...table.querySelectorAll('tbody tr')].find((tr) => tr.textContent?.includes('temperature')) as HTMLElement;
    expect(within(row()).getAllByRole('cell')[2]?.textContent).toBe('22.5');
    fireEvent.click(screen.getByLabelText('Chart temperature'));
    expect(screen.getByTestId('telemetry-chart').getAttribute('aria-label')).toBe('Chart of temperature');
  });
});
