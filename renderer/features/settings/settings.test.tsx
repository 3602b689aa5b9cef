// @vitest-environment jsdom
import { cleanup, fireEvent, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';

import { createFakeApi } from '../../api/fake-client.js';
import { renderWithStudio } from '../../test-utils/render.js';
import { SettingsPanel } from './SettingsPanel.js';

afterEach(cleanup);

describe('settings', () => {
  it('validates ports and restarts the hub with new settings only after confirmation', async () => {
    const { api } = renderWithStudio(<SettingsPanel theme="system" onTheme={() => undefined} />);
    const mqtts = (await screen.findByLabelText('MQTT/TLS port')) as HTMLInputElement;
    await waitFor(() => expect(mqtts.value).toBe('8883'));
    fireEvent.change(mqtts, { target: { value: '70000' } });
    expect((screen.getByRole('button', { name: 'Save and restart hub' }) as HTMLButtonElement).disabled).toBe(true);
    fireEvent.change(mqtts, { target: { value: '18883' } });
    fireEvent.change(screen.getByLabelText('HTTPS port (or off)'), { target: { value: 'off' } });
    fireEvent.change(screen.getByLabelText('Accept devices from'), { target: { value: 'thisComputer' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save and restart hub' }));
    expect(api.calls.some((call) => call.channel === 'settings.update')).toBe(false);
    fireEvent.click(screen.getByRole('button', { name: 'Save and restart' }));
    await screen.findByText(/the hub restarted/);
    expect(api.calls.find((call) => call.channel === 'settings.update')?.req).toEqual({
      settings: { ports: { mqtts: 18883, https: null, mqtt: null, amqps: 5671 }, dataDir: '/data', persistence: 'file', reach: 'thisComputer' },
    });
  });

  it('resets the hub after confirmation and shows how many devices went', async () => {
    const api = createFakeApi();
    api.addDevice('a');
    api.addDevice('b');
    renderWithStudio(<SettingsPanel theme="dark" onTheme={() => undefined} />, api);
    fireEvent.click(await screen.findByRole('button', { name: 'Reset hub…' }));
    fireEvent.click(screen.getByRole('button', { name: 'Delete all devices' }));
    expect(await screen.findByText('Hub reset: 2 devices deleted.')).toBeTruthy();
    expect(api.calls.find((call) => call.channel === 'emulator.reset')?.req).toEqual({ confirm: 'reset' });
  });

  it('shows where the hub listens and its service connection string', async () => {
    renderWithStudio(<SettingsPanel theme="light" onTheme={() => undefined} />);
    expect((await screen.findByText(/^HostName=localhost;SharedAccessKeyName=iothubowner/)).textContent).toContain('SharedAccessKey=a2V5');
    expect(screen.getByTestId('event-hub-endpoint').textContent).toContain('Endpoint=sb://localhost/;SharedAccessKeyName=iothubowner;SharedAccessKey=a2V5;EntityPath=localhost');
    expect(screen.getByTestId('event-hub-endpoint').textContent).toContain('4 partitions');
    expect(screen.getByText('/data/certs/ca.pem')).toBeTruthy();
    expect(screen.getByTestId('hub-addresses').textContent).toBe('localhost · 127.0.0.1 · 192.168.1.20');
    expect((screen.getByLabelText('Accept devices from') as HTMLSelectElement).value).toBe('network');
  });
});

describe('tier emulation in the settings', () => {
  it('sends the chosen tier and units with the settings, refusing more units than the tier has', async () => {
    const { api } = renderWithStudio(<SettingsPanel theme="system" onTheme={() => undefined} />);
    await waitFor(() => expect((screen.getByLabelText('MQTT/TLS port') as HTMLInputElement).value).toBe('8883'));
    fireEvent.change(screen.getByLabelText('Emulate tier'), { target: { value: 'F1' } });
    fireEvent.change(screen.getByLabelText('Units'), { target: { value: '2' } });
    expect((screen.getByRole('button', { name: 'Save and restart hub' }) as HTMLButtonElement).disabled).toBe(true);
    fireEvent.change(screen.getByLabelText('Emulate tier'), { target: { value: 'S1' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save and restart hub' }));
    fireEvent.click(screen.getByRole('button', { name: 'Save and restart' }));
    await screen.findByText(/the hub restarted/);
    expect(api.calls.find((call) => call.channel === 'settings.update')?.req).toMatchObject({ settings: { tier: { name: 'S1', units: 2 } } });
  });

  it('shows a quota meter per operation family from emulator.tierUsage, or that tier emulation is off', async () => {
    const api = createFakeApi();
    renderWithStudio(<SettingsPanel theme="system" onTheme={() => undefined} />, api);
    expect(await screen.findByText(/Tier emulation is off/)).toBeTruthy();
    cleanup();
    const withTier = createFakeApi();
    withTier.override('emulator.tierUsage', () => ({
      ok: true,
      value: {
        tier: 'S1',
        units: 1,
        families: [{ family: 'twinUpdate', limit: 50, windowSeconds: 1, unit: 'operations', used: 12, admitted: 130, delayed: 40, throttled: 7 }],
        dailyQuota: { used: 1200, limit: 400000, meterBytes: 4096, windowSeconds: 86400, resetsAt: '2026-01-02T00:00:00.000Z', refused: 0 },
      },
    }));
    renderWithStudio(<SettingsPanel theme="system" onTheme={() => undefined} />, withTier);
    const row = await screen.findByTestId('quota-twinUpdate');
    expect(row.textContent).toContain('12 / 50/s');
    expect(row.textContent).toContain('40');
    expect(row.textContent).toContain('7');
    expect(screen.getByTestId('daily-quota').textContent).toBe('1200 / 400000 messages');
    expect((screen.getByLabelText('twinUpdate used') as HTMLMeterElement).value).toBe(12);
  });
});
