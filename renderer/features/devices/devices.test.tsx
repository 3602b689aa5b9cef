// @vitest-environment jsdom
import { act, cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';

import { createFakeApi } from '../../api/fake-client.js';
import { renderWithStudio } from '../../test-utils/render.js';
import { filterDevices } from './device-filter.js';
import { DevicesView } from './DevicesView.js';
import { useState } from 'react';

afterEach(cleanup);

function Harness() {
  const [selected, setSelected] = useState<string>();
  return <DevicesView selectedId={selected} onSelect={setSelected} />;
}

describe('the device list', () => {
  it('teaches what to do when the hub has no devices, then registers one and selects it', async () => {
    renderWithStudio(<Harness />);
    await screen.findByText('No devices yet');
    fireEvent.click(screen.getByRole('button', { name: 'Register your first device' }));
    fireEvent.change(screen.getByLabelText('Device id'), { target: { value: 'bad id' } });
    expect(screen.getByText(/Use 1-128 letters/)).toBeTruthy();
    fireEvent.change(screen.getByLabelText('Device id'), { target: { value: 'sensor-1' } });
    fireEvent.click(screen.getByRole('button', { name: 'Register' }));
    expect(await screen.findByRole('heading', { name: 'sensor-1' })).toBeTruthy();
    expect((await screen.findByRole('option', { name: /sensor-1/ })).getAttribute('aria-selected')).toBe('true');
  });

  it('registers an X.509 device and offers its certificate, key and connection string before opening it', async () => {
    const { api } = renderWithStudio(<Harness />);
    await screen.findByText('No devices yet');
    fireEvent.click(screen.getByRole('button', { name: 'Register your first device' }));
    fireEvent.change(screen.getByLabelText('Device id'), { target: { value: 'cam-1' } });
    fireEvent.change(screen.getByLabelText('Authentication'), { target: { value: 'caSigned' } });
    fireEvent.click(screen.getByRole('button', { name: 'Register' }));
    const files = await screen.findByRole('region', { name: 'X.509 device files' });
    expect(api.calls.find((call) => call.channel === 'devices.createWithCertificate')?.req).toEqual({ deviceId: 'cam-1', mode: 'caSigned' });
    const certificate = within(files).getByRole('link', { name: 'Download certificate' });
    expect(certificate.getAttribute('download')).toBe('cam-1.pem');
    expect(decodeURIComponent(certificate.getAttribute('href') ?? '')).toContain('-----BEGIN CERTIFICATE-----\nFAKE-cam-1');
    expect(within(files).getByRole('link', { name: 'Download private key' }).getAttribute('download')).toBe('cam-1-key.pem');
    expect(files.textContent).toContain('HostName=localhost;DeviceId=cam-1;x509=true');
    expect(files.textContent).toContain('CA-signed');
    fireEvent.click(within(files).getByRole('button', { name: 'Done' }));
    expect(await screen.findByRole('heading', { name: 'cam-1' })).toBeTruthy();
  });

  it('registers a simulated device with a built-in profile and shows its simulation controls', async () => {
    const { api } = renderWithStudio(<Harness />);
    await screen.findByText('No devices yet');
    fireEvent.click(screen.getByRole('button', { name: 'Register your first device' }));
    fireEvent.change(screen.getByLabelText('Device id'), { target: { value: 'sim-1' } });
    fireEvent.click(await screen.findByLabelText(/Simulated/));
    await waitFor(() => expect((screen.getByLabelText('Simulation profile') as HTMLSelectElement).value).toBe('thermostat'));
    fireEvent.change(screen.getByLabelText('Simulation profile'), { target: { value: 'smart-plug' } });
    fireEvent.click(screen.getByRole('button', { name: 'Register' }));
    const bar = await screen.findByTestId('simulation-bar');
    expect(bar.textContent).toContain('smart-plug');
    fireEvent.click(within(bar).getByRole('button', { name: 'Pause' }));
    await waitFor(() => expect((within(bar).getByRole('button', { name: 'Start' }) as HTMLButtonElement).disabled).toBe(false));
    expect(api.calls.map((call) => call.channel)).toContain('simulations.create');
    expect(api.calls.find((call) => call.channel === 'simulations.create')?.req).toEqual({ deviceId: 'sim-1', profile: 'smart-plug' });
  });

  it('follows connection pushes and filters by state and text; arrow keys move the selection', async () => {
    const api = createFakeApi();
    for (const id of ['dev-10', 'dev-2', 'other']) api.addDevice(id);
    renderWithStudio(<Harness />, api);
    const list = await screen.findByRole('listbox', { name: 'Registered devices' });
    await waitFor(() => expect(within(list).getAllByRole('option').map((o) => o.getAttribute('data-device-id'))).toEqual(['dev-2', 'dev-10', 'other']));
    act(() => api.emit('devices.changed', { deviceId: 'dev-10', reason: 'connection', device: { deviceId: 'dev-10', status: 'enabled', statusReason: null, connectionState: 'Connected', lastActivityTime: new Date().toISOString(), authenticationType: 'sas', twinVersion: 1, simulated: false, connectedVia: 'amqp' } }));
    fireEvent.change(screen.getByLabelText('Show devices'), { target: { value: 'connected' } });
    // Pushes are coalesced (StudioState.coalesceMs).
    await waitFor(() => expect(within(list).getAllByRole('option').map((o) => o.getAttribute('data-device-id'))).toEqual(['dev-10']));
    fireEvent.change(screen.getByLabelText('Show devices'), { target: { value: 'all' } });
    fireEvent.change(screen.getByLabelText('Search devices'), { target: { value: 'DEV' } });
    expect(within(list).getAllByRole('option')).toHaveLength(2);
    fireEvent.keyDown(list, { key: 'ArrowDown' });
    expect(await screen.findByRole('heading', { name: 'dev-2' })).toBeTruthy();
    fireEvent.keyDown(list, { key: 'ArrowDown' });
    expect(await screen.findByRole('heading', { name: 'dev-10' })).toBeTruthy();
  });

  it('deletes a device only after confirmation', async () => {
    const api = createFakeApi();
    api.addDevice('doomed');
    renderWithStudio(<Harness />, api);
    fireEvent.click(await screen.findByRole('option', { name: /doomed/ }));
    fireEvent.click(await screen.findByRole('button', { name: 'Delete' }));
    fireEvent.click(screen.getByRole('button', { name: 'Cancel' }));
    expect(api.calls.some((call) => call.channel === 'devices.delete')).toBe(false);
    fireEvent.click(screen.getByRole('button', { name: 'Delete' }));
    fireEvent.click(screen.getByRole('button', { name: 'Delete device' }));
    await screen.findByText('Select a device');
    expect(api.calls.filter((call) => call.channel === 'devices.delete')).toEqual([{ channel: 'devices.delete', req: { deviceId: 'doomed' } }]);
  });

  it('shows the connection string and the CA path on the Connect tab', async () => {
    const api = createFakeApi();
    api.addDevice('dev-1');
    renderWithStudio(<Harness />, api);
    fireEvent.click(await screen.findByRole('option', { name: /dev-1/ }));
    fireEvent.click(await screen.findByRole('tab', { name: 'Connect' }));
    expect(screen.getByTestId('connection-string').textContent).toContain('DeviceId=dev-1');
    expect(screen.getByTestId('ca-path').textContent).toBe('/data/certs/ca.pem');
  });

  it('shows which protocol the device last used, from the traffic the studio has seen', async () => {
    const api = createFakeApi();
    api.addDevice('dev-1');
    renderWithStudio(<Harness />, api);
    fireEvent.click(await screen.findByRole('option', { name: /dev-1/ }));
    await screen.findByRole('tab', { name: 'Connect' });
    expect(screen.queryByTestId('last-protocol')).toBeNull();
    const base = { time: new Date().toISOString(), deviceId: 'dev-1', direction: 'in', payload: '', payloadBytes: 0, truncated: false } as const;
    act(() => api.emit('traffic.batch', [
      { ...base, id: 5001, protocol: 'http', kind: 'telemetry', topic: 'POST /devices/dev-1/messages/events' },
      { ...base, id: 5002, protocol: 'http', kind: 'rest', topic: 'GET /twins/dev-1' },
    ]));
    await waitFor(() => expect(screen.getByTestId('last-protocol').textContent).toBe('last via HTTPS'));
  });

  it('shows the transport the hub says the device is connected with', async () => {
    const api = createFakeApi();
    api.addDevice('dev-1');
    renderWithStudio(<Harness />, api);
    fireEvent.click(await screen.findByRole('option', { name: /dev-1/ }));
    await screen.findByRole('tab', { name: 'Connect' });
    expect(screen.queryByTestId('connected-via')).toBeNull();
    const device = { deviceId: 'dev-1', status: 'enabled', statusReason: null, connectionState: 'Connected', lastActivityTime: new Date().toISOString(), authenticationType: 'sas', twinVersion: 1, simulated: false, connectedVia: 'amqp-ws' } as const;
    act(() => api.emit('devices.changed', { deviceId: 'dev-1', reason: 'connection', device }));
    await waitFor(() => expect(screen.getByTestId('connected-via').textContent).toBe('connected via AMQP-WS'));
  });

  it('switches the sample by transport, AMQP included, and warns when HTTPS is not on 443', async () => {
    const api = createFakeApi();
    api.addDevice('dev-1');
    renderWithStudio(<Harness />, api);
    fireEvent.click(await screen.findByRole('option', { name: /dev-1/ }));
    fireEvent.click(await screen.findByRole('tab', { name: 'Connect' }));
    expect(screen.getByRole('radio', { name: 'MQTT' })).toHaveProperty('checked', true);
    expect(screen.getByTestId('connect-snippet').textContent).toContain('mqttTransport.Mqtt)');
    expect(screen.getByTestId('connect-snippet').textContent).toContain('HostName=localhost;DeviceId=dev-1;SharedAccessKey=a2V5');
    fireEvent.click(screen.getByRole('radio', { name: 'AMQP' }));
    expect(screen.getByTestId('connect-snippet').textContent).toContain('amqpTransport.Amqp)');

    fireEvent.click(screen.getByRole('radio', { name: 'MQTT over WebSockets' }));
    expect(screen.getByTestId('connect-snippet').textContent).toContain('mqttTransport.MqttWs');
    expect(screen.getByTestId('transport-endpoint').textContent).toBe('localhost:443 (MQTT over WebSockets, /$iothub/websocket)');

    fireEvent.click(screen.getByRole('radio', { name: 'HTTPS' }));
    expect(screen.getByTestId('connect-snippet').textContent).toContain('await client.setOptions({ ca, http: { receivePolicy: { interval: 1 } } });');
    expect(screen.getByText(/refuses twins and direct methods/)).toBeTruthy();
    expect(screen.queryByRole('alert')).toBeNull();
    expect(screen.getByRole('button', { name: 'Copy sample code' })).toBeTruthy();

    act(() => api.emit('emulator.status', { ...api.status, info: { ...api.status.info!, ports: { ...api.status.info!.ports, https: 8443 } } }));
    expect(screen.getByRole('alert').textContent).toMatch(/HTTPS port is 8443, but Http dials port 443 only/);
  });
});

describe('device filtering', () => {
  it('sorts ids naturally and case-insensitively', () => {
    const make = (deviceId: string) => ({ deviceId, status: 'enabled' as const, statusReason: null, connectionState: 'Disconnected' as const, lastActivityTime: '', authenticationType: 'sas', twinVersion: 1, simulated: false, connectedVia: null });
    expect(filterDevices(['b', 'A-10', 'a-9'].map(make), { text: '', state: 'all' }).map((d) => d.deviceId)).toEqual(['a-9', 'A-10', 'b']);
  });

  it('starts the simulation profile picker on thermostat, not on the first name in the list', async () => {
    const api = createFakeApi();
    api.override('simulations.profiles', () => ({ ok: true, value: [
      { name: 'firmware-update', description: 'Applies firmware' }, { name: 'smart-plug', description: 'Switches' }, { name: 'thermostat', description: 'Reports temperature' },
    ] }));
    renderWithStudio(<Harness />, api);
    await screen.findByText('No devices yet');
    fireEvent.click(screen.getByRole('button', { name: 'Register your first device' }));
    fireEvent.click(screen.getByText('Simulated (the hub runs the device for you)'));
    await waitFor(() => expect((screen.getByLabelText('Simulation profile') as HTMLSelectElement).value).toBe('thermostat'));
  });

  it('renders only the rows in view of 10,000 devices (virtualised), and arrow keys still move through all of them', async () => {
    const api = createFakeApi();
    for (let i = 0; i < 10_000; i++) api.addDevice(`dev-${i}`);
    renderWithStudio(<Harness />, api);
    const list = await screen.findByRole('listbox', { name: 'Registered devices' });
    await waitFor(() => expect(within(list).getAllByRole('option').length).toBeGreaterThan(5));
    expect(within(list).getAllByRole('option').length).toBeLessThan(60);
    expect(within(list).getAllByRole('option')[0]?.getAttribute('aria-setsize')).toBe('10000');
    fireEvent.click(within(list).getAllByRole('option')[0] as HTMLElement);
    fireEvent.keyDown(list, { key: 'ArrowDown' });
    expect(await screen.findByRole('heading', { name: 'dev-1' })).toBeTruthy();
  });
});

