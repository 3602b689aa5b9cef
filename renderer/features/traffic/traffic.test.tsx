// @vitest-environment jsdom
import { act, cleanup, fireEvent, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';

import type { TrafficEventDto } from '../../../main/contract/index.js';
import { renderWithStudio } from '../../test-utils/render.js';
import { exportRows, lastDeviceProtocol, matchesFilter, NO_FILTER, TrafficBuffer, transportOf } from './traffic-buffer.js';
import { decodeTopic, payloadPreview, readRecording } from './traffic-decode.js';
import { TrafficView } from './TrafficView.js';

afterEach(cleanup);

let nextId = 1;
function event(partial: Partial<TrafficEventDto>): TrafficEventDto {
  return {
    id: nextId++, time: new Date(Date.UTC(2026, 0, 1, 0, 0, 0, nextId)).toISOString(), deviceId: 'dev-1', direction: 'in', protocol: 'mqtt',
    kind: 'twin', topic: '$iothub/twin/GET/?$rid=1', payload: '', payloadBytes: 0, truncated: false, ...partial,
  };
}

describe('the traffic buffer', () => {
  it('pairs a twin request with its response by $rid, per device', () => {
    const buffer = new TrafficBuffer();
    buffer.add([
      event({ rid: 'a', topic: '$iothub/twin/GET/?$rid=a' }),
      event({ rid: 'a', topic: '$iothub/twin/GET/?$rid=a', deviceId: 'dev-2' }),
      event({ rid: 'a', direction: 'out', status: 200, topic: '$iothub/twin/res/200/?$rid=a' }),
    ]);
    const rows = buffer.all();
    expect(rows).toHaveLength(2);
    expect(rows[0]?.response?.topic).toBe('$iothub/twin/res/200/?$rid=a');
    expect(rows[0]?.latencyMs).toBeGreaterThanOrEqual(0);
    expect(rows[1]?.response).toBeUndefined();
  });

  it('pairs methods the other way round (hub asks, device answers) and keeps unmatched responses as rows', () => {
    const buffer = new TrafficBuffer();
    buffer.add([
      event({ kind: 'method', direction: 'out', rid: '7', topic: '$iothub/methods/POST/reboot/?$rid=7' }),
      event({ kind: 'method', direction: 'in', rid: '7', status: 200, topic: '$iothub/methods/res/200/?$rid=7' }),
      event({ kind: 'twin', direction: 'out', rid: 'orphan', status: 204, topic: '$iothub/twin/res/204/?$rid=orphan' }),
      event({ kind: 'telemetry', topic: 'devices/dev-1/messages/events/' }),
    ]);
    expect(buffer.all().map((row) => [row.request.kind, row.response?.status])).toEqual([['method', 200], ['twin', undefined], ['telemetry', undefined]]);
  });

  it('is bounded by rows and by payload characters, oldest first', () => {
    const buffer = new TrafficBuffer({ maxRows: 3, maxPayloadChars: 23 });
    buffer.add([1, 2, 3, 4].map((n) => event({ kind: 'telemetry', payload: `p${n}` })));
    expect(buffer.all().map((row) => row.request.payload)).toEqual(['p2', 'p3', 'p4']);
    buffer.add([event({ kind: 'telemetry', payload: 'x'.repeat(20) })]);
    expect(buffer.all().map((row) => row.request.payload.length)).toEqual([2, 20]);
  });

  it('filters by device, direction, kind and text, and exports requests with responses', () => {
    const buffer = new TrafficBuffer();
    buffer.add([event({ rid: 'r', payload: '{"temp":1}' }), event({ rid: 'r', direction: 'out', status: 200 }), event({ kind: 'telemetry', deviceId: 'dev-2' })]);
    const rows = buffer.all();
    expect(rows.filter((row) => matchesFilter(row, { ...NO_FILTER, deviceId: 'dev-2' }))).toHaveLength(1);
    expect(rows.filter((row) => matchesFilter(row, { ...NO_FILTER, kind: 'twin', text: 'TEMP' }))).toHaveLength(1);
    expect(rows.filter((row) => matchesFilter(row, { ...NO_FILTER, direction: 'out' }))).toHaveLength(0);
    expect(exportRows(rows).events).toHaveLength(3);
  });

  it('filters by protocol and finds the protocol a device itself last used', () => {
    const buffer = new TrafficBuffer();
    buffer.add([
      event({ kind: 'telemetry' }),
      event({ kind: 'telemetry', protocol: 'http', topic: 'POST /devices/dev-1/messages/events' }),
      event({ kind: 'rest', protocol: 'http', topic: 'GET /twins/dev-1' }),
      event({ kind: 'c2d', protocol: 'amqp', topic: '/devices/dev-1/messages/devicebound' }),
    ]);
    const rows = buffer.all();
    expect(rows.filter((row) => matchesFilter(row, { ...NO_FILTER, protocol: 'http' }))).toHaveLength(2);
    expect(rows.filter((row) => matchesFilter(row, { ...NO_FILTER, protocol: 'mqtt' }))).toHaveLength(1);
    // The service REST call and the service-side AMQP C2D send come later but are not the device's transport.
    expect(lastDeviceProtocol(rows, 'dev-1')).toBe('http');
    expect(lastDeviceProtocol(rows, 'dev-9')).toBeUndefined();
  });

  it('tells MQTT and AMQP over WebSockets apart from TLS, and counts a device\'s own AMQP links as its transport', () => {
    const buffer = new TrafficBuffer();
    buffer.add([
      event({ kind: 'telemetry', webSocket: true }),
      event({ kind: 'telemetry', protocol: 'amqp', webSocket: true, topic: '/devices/dev-1/messages/events' }),
    ]);
    const rows = buffer.all();
    expect(rows.map((row) => transportOf(row.request))).toEqual(['mqtt-ws', 'amqp-ws']);
    expect(rows.filter((row) => matchesFilter(row, { ...NO_FILTER, protocol: 'mqtt' }))).toHaveLength(0);
    expect(rows.filter((row) => matchesFilter(row, { ...NO_FILTER, protocol: 'amqp-ws' }))).toHaveLength(1);
    expect(lastDeviceProtocol(rows, 'dev-1')).toBe('amqp-ws');
  });

  it('pairs a C2D delivery with the device\'s settlement by lock token', () => {
    const buffer = new TrafficBuffer();
    buffer.add([
      event({ kind: 'c2d', protocol: 'amqp', direction: 'out', rid: 'lock-1', topic: '/devices/dev-1/messages/devicebound' }),
      event({ kind: 'telemetry', protocol: 'amqp', topic: '/devices/dev-1/messages/events' }),
      event({ kind: 'c2d', protocol: 'amqp', direction: 'in', rid: 'lock-1', topic: 'accepted m-1' }),
    ]);
    const rows = buffer.all();
    expect(rows).toHaveLength(2);
    expect(rows[0]?.response?.topic).toBe('accepted m-1');
  });
});

describe('the traffic view', () => {
  it('shows pushed exchanges as paired rows, filters by kind, pauses and clears', async () => {
    const { api } = renderWithStudio(<TrafficView />);
    await screen.findByText(/Nothing yet/);
    act(() => api.emit('traffic.batch', [
      event({ id: 1001, rid: 'q', topic: '$iothub/twin/PATCH/properties/reported/?$rid=q', payload: '{"t":1}' }),
      event({ id: 1002, rid: 'q', direction: 'out', status: 204, topic: '$iothub/twin/res/204/?$rid=q&$version=2' }),
      event({ id: 1003, kind: 'telemetry', topic: 'devices/dev-1/messages/events/' }),
    ]));
    const list = screen.getByRole('list', { name: 'Traffic rows' });
    expect(within(list).getAllByRole('listitem')).toHaveLength(2);
    expect(list.querySelector('[data-paired="true"]')?.textContent).toContain('204');

    fireEvent.change(screen.getByLabelText('Kind'), { target: { value: 'telemetry' } });
    expect(within(list).getAllByRole('listitem')).toHaveLength(1);
    fireEvent.change(screen.getByLabelText('Kind'), { target: { value: '' } });

    fireEvent.click(screen.getByRole('button', { name: 'Pause' }));
    act(() => api.emit('traffic.batch', [event({ id: 1004, kind: 'telemetry' })]));
    expect(within(list).getAllByRole('listitem')).toHaveLength(2);
    fireEvent.click(screen.getByRole('button', { name: /Resume/ }));
    expect(within(list).getAllByRole('listitem')).toHaveLength(3);

    fireEvent.click(screen.getByRole('button', { name: 'Clear' }));
    expect(within(list).queryAllByRole('listitem')).toHaveLength(0);
  });

  it('shows the protocol of each row and filters by it', async () => {
    const { api } = renderWithStudio(<TrafficView />);
    await screen.findByText(/Nothing yet/);
    act(() => api.emit('traffic.batch', [
      event({ id: 2001, kind: 'telemetry', topic: 'devices/dev-1/messages/events/' }),
      event({ id: 2002, kind: 'telemetry', protocol: 'http', topic: 'POST /devices/dev-1/messages/events' }),
    ]));
    const list = screen.getByRole('list', { name: 'Traffic rows' });
    expect(list.querySelector('[data-protocol="http"]')?.textContent).toBe('HTTPS');
    expect(list.querySelector('[data-protocol="mqtt"]')?.textContent).toBe('MQTT');
    fireEvent.change(screen.getByLabelText('Protocol'), { target: { value: 'http' } });
    expect(within(list).getAllByRole('listitem')).toHaveLength(1);
    fireEvent.change(screen.getByLabelText('Protocol'), { target: { value: 'amqp' } });
    expect(within(list).queryAllByRole('listitem')).toHaveLength(0);
  });

  it('follows the newest rows while at the bottom, and shows "N new ↓" after the user scrolled up', async () => {
    const { api } = renderWithStudio(<TrafficView />);
    await screen.findByText(/Nothing yet/);
    const list = screen.getByRole('list', { name: 'Traffic rows' });
    Object.defineProperty(list, 'clientHeight', { configurable: true, value: 300 });
    const telemetry = (from: number, count: number) => Array.from({ length: count }, (_, i) => event({ id: 5000 + from + i, kind: 'telemetry', topic: `devices/dev-1/messages/events/n=${from + i}` }));
    const visibleTopics = () => within(list).getAllByRole('listitem').map((row) => row.textContent ?? '');
    fireEvent.click(screen.getByRole('button', { name: 'Clear' }));
    act(() => api.emit('traffic.batch', telemetry(0, 3000)));
    expect(visibleTopics().some((text) => text.includes('n=2999'))).toBe(true);
    expect(list.scrollTop).toBe(3000 * 30 - 300);
    expect(screen.queryByTestId('new-rows-pill')).toBeNull();

    // The user scrolls to the top to read: new rows neither move the view nor go unnoticed.
    list.scrollTop = 0;
    fireEvent.scroll(list);
    act(() => api.emit('traffic.batch', telemetry(3000, 5)));
    expect(list.scrollTop).toBe(0);
    expect(visibleTopics().some((text) => text.includes('n=0'))).toBe(true);
    expect(screen.getByTestId('new-rows-pill').textContent).toBe('5 new ↓');

    fireEvent.click(screen.getByTestId('new-rows-pill'));
    expect(visibleTopics().some((text) => text.includes('n=3004'))).toBe(true);
    expect(screen.queryByTestId('new-rows-pill')).toBeNull();
    act(() => api.emit('traffic.batch', telemetry(3005, 1)));
    expect(visibleTopics().some((text) => text.includes('n=3005'))).toBe(true);
  });

  it('is one tab stop: arrow keys move through the rows and Enter opens one', async () => {
    const { api } = renderWithStudio(<TrafficView />);
    await screen.findByText(/Nothing yet/);
    act(() => api.emit('traffic.batch', [1, 2, 3].map((n) => event({ id: 7000 + n, kind: 'telemetry', topic: `devices/dev-1/messages/events/k=${n}`, payload: `{"k":${n}}` }))));
    const list = screen.getByRole('list', { name: 'Traffic rows' });
    expect(list.tabIndex).toBe(0);
    expect(within(list).getAllByRole('listitem').every((row) => row.tabIndex < 0)).toBe(true);
    fireEvent.keyDown(list, { key: 'ArrowDown' });
    const activeRow = () => document.getElementById(list.getAttribute('aria-activedescendant') ?? '');
    expect(activeRow()?.textContent).toContain('k=3');
    fireEvent.keyDown(list, { key: 'ArrowUp' });
    fireEvent.keyDown(list, { key: 'ArrowUp' });
    expect(activeRow()?.textContent).toContain('k=1');
    fireEvent.keyDown(list, { key: 'Enter' });
    expect(screen.getByLabelText('Exchange details').textContent).toContain('{"k":1}');
  });

  it('decodes topics, previews payloads, keeps an adjustable number of rows and shows rates per device grouped', async () => {
    expect(decodeTopic(event({ topic: '$iothub/twin/PATCH/properties/reported/?$rid=7' }))).toBe('reported patch · rid 7');
    expect(decodeTopic(event({ topic: '$iothub/twin/PATCH/properties/desired/?$version=4' }))).toBe('desired patch v4');
    expect(decodeTopic(event({ topic: '$iothub/twin/res/204/?$rid=7&$version=3' }))).toBe('twin answer 204 · v3 · rid 7');
    expect(decodeTopic(event({ topic: '$iothub/methods/POST/reboot/?$rid=2' }))).toBe('method reboot · rid 2');
    expect(decodeTopic(event({ topic: 'devices/d1/messages/events/alert=high&%24.ct=application%2Fjson' }))).toBe('telemetry · alert=high $.ct=application/json');
    expect(payloadPreview('{\n  "t": 21.5\n}')).toBe('{"t":21.5}');
    const { api } = renderWithStudio(<TrafficView />);
    await screen.findByText(/Nothing yet/);
    fireEvent.click(screen.getByRole('button', { name: 'Clear' }));
    const now = Date.now();
    act(() => api.emit('traffic.batch', Array.from({ length: 1500 }, (_, i) => event({ id: 8000 + i, time: new Date(now - 1500 + i).toISOString(), kind: 'telemetry', deviceId: i % 3 === 0 ? 'busy' : 'calm', topic: 'devices/x/messages/events/', payload: `{ "i": ${i} }` }))));
    const list = screen.getByRole('list', { name: 'Traffic rows' });
    expect(within(list).getAllByTestId('payload-preview').at(-1)?.textContent).toBe('{"i":1499}');
    fireEvent.change(screen.getByLabelText('Rows kept'), { target: { value: '1000' } });
    expect(screen.getByTestId('traffic-count').textContent).toBe('1000 rows');
    fireEvent.click(screen.getByRole('button', { name: 'Group by device' }));
    const groups = screen.getByTestId('traffic-groups');
    expect([...groups.querySelectorAll('tbody tr')].map((row) => [row.getAttribute('data-device-id'), row.querySelector('[data-testid="group-rate"]')?.textContent])).toEqual([['busy', '33.3'], ['calm', '66.7']]);
  });

  it('opens a saved recording and pairs its exchanges again', async () => {
    const saved = { exportedAt: '2026-01-01T00:00:00Z', events: [
      event({ rid: 'z', topic: '$iothub/twin/GET/?$rid=z' }), event({ rid: 'z', direction: 'out', status: 200, topic: '$iothub/twin/res/200/?$rid=z', payload: '{"desired":{}}' }),
    ] };
    expect(readRecording(JSON.stringify(saved))).toHaveLength(2);
    expect(() => readRecording('{"rows":[]}')).toThrow(/no "events" list/);
    renderWithStudio(<TrafficView />);
    await screen.findByText(/Nothing yet/);
    const file = new File([JSON.stringify(saved)], 'session.json', { type: 'application/json' });
    fireEvent.change(screen.getByLabelText('Open a traffic recording'), { target: { files: [file] } });
    expect((await screen.findByRole('status')).textContent).toContain('Showing the recording session.json (1 rows)');
    const list = screen.getByRole('list', { name: 'Traffic rows' });
    expect(list.querySelector('[data-paired="true"]')?.textContent).toContain('twin get · rid z');
    fireEvent.click(screen.getByRole('button', { name: 'Back to live' }));
    expect(screen.queryByText(/Showing the recording/)).toBeNull();
  });
});

