// @vitest-environment jsdom
import { act, cleanup, screen, waitFor } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import type { TrafficEventDto } from '../../main/contract/index.js';
import { App } from '../app.js';
import { createFakeApi, type FakeApi } from '../api/fake-client.js';
import { DeviceDetailsView } from '../features/devices/DeviceDetailsView.js';
import { renderWithStudio } from '../test-utils/render.js';
import { StudioState } from './studio-state.js';

let api: FakeApi;
const defaultHeartbeat = StudioState.heartbeatMs;

beforeEach(() => {
  StudioState.heartbeatMs = 50;
  api = createFakeApi();
});
afterEach(() => {
  StudioState.heartbeatMs = defaultHeartbeat;
  cleanup();
});

describe('the studio follows its host', () => {
  it('shows the host as unreachable within seconds of it stopping, and reloads everything when it is back', async () => {
    api.addDevice('dev-1');
    renderWithStudio(<App />, api);
    const badge = await screen.findByTestId('hub-status');
    await waitFor(() => expect(badge.textContent).toBe('Hub Running'));
    const status = api.original('emulator.status');
    api.override('emulator.status', () => ({ ok: false, error: { code: 'Disconnected', message: 'The studio host does not answer: TypeError: Failed to fetch' } }));
    await waitFor(() => expect(badge.textContent).toBe('Host unreachable'), { timeout: 3000 });
    expect(screen.getByRole('alert').textContent).toContain('reconnects by itself');
    const listsBefore = api.calls.filter((call) => call.channel === 'devices.list').length;
    api.addDevice('dev-2');
    api.override('emulator.status', status);
    await waitFor(() => expect(badge.textContent).toBe('Hub Running'), { timeout: 3000 });
    await waitFor(() => expect(api.calls.filter((call) => call.channel === 'devices.list').length).toBeGreaterThan(listsBefore));
    expect(await screen.findByText('dev-2')).toBeTruthy();
  });

  it('updates "last activity" in the device header live as the device sends', async () => {
    api.addDevice('dev-1');
    renderWithStudio(<DeviceDetailsView deviceId="dev-1" onDeleted={() => undefined} />, api);
    const header = await screen.findByTestId('last-activity');
    expect(header.textContent).toBe('last activity never');
    // The list learns of activity from traffic (StudioState.touchDevices), after the devices are loaded.
    await waitFor(() => expect(api.calls.some((call) => call.channel === 'devices.list')).toBe(true));
    const sent: TrafficEventDto = {
      id: 9001, time: new Date(Date.now() - 3000).toISOString(), deviceId: 'dev-1', direction: 'in', protocol: 'mqtt', kind: 'telemetry',
      topic: 'devices/dev-1/messages/events/', payload: '{}', payloadBytes: 2, truncated: false,
    };
    await waitFor(() => {
      act(() => api.emit('traffic.batch', [{ ...sent, id: sent.id + Math.floor(Math.random() * 1000) }]));
      expect(header.textContent).toMatch(/^last activity [0-9] s ago$/);
    });
    // And the relative time keeps ticking without any new push.
    await waitFor(() => expect(header.textContent).not.toBe('last activity 3 s ago'), { timeout: 3000 });
  });
});
