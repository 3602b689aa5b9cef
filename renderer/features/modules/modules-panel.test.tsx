// @vitest-environment jsdom
import { act, cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { createFakeApi, type FakeApi } from '../../api/fake-client.js';
import { getEditorText, renderWithStudio, setEditorText } from '../../test-utils/render.js';
import { forgetDrafts, readDraft } from '../twin-editor/draft-store.js';
import { forgetSeen } from '../twin-editor/last-seen.js';
import { ModulesPanel } from './ModulesPanel.js';

let api: FakeApi;

beforeEach(() => {
  forgetSeen();
  forgetDrafts();
  api = createFakeApi();
  api.addDevice('dev-1', { desired: { interval: 10 } });
});
afterEach(cleanup);

async function addModule(moduleId: string): Promise<void> {
  fireEvent.change(screen.getByLabelText('Module id'), { target: { value: moduleId } });
  fireEvent.click(screen.getByRole('button', { name: 'Add module' }));
  await screen.findByRole('button', { name: moduleId });
}

describe('the modules panel', () => {
  it('lists a device’s modules, adds one with its connection string and refuses a duplicate with the hub’s error', async () => {
    renderWithStudio(<ModulesPanel deviceId="dev-1" />, api);
    expect(await screen.findByText(/No module identities/)).toBeTruthy();
    await addModule('sensor');
    expect((await screen.findByTestId('module-connection-string')).textContent).toContain('DeviceId=dev-1;ModuleId=sensor;SharedAccessKey=');
    expect(api.calls.find((call) => call.channel === 'modules.create')?.req).toEqual({ deviceId: 'dev-1', moduleId: 'sensor' });
    fireEvent.change(screen.getByLabelText('Module id'), { target: { value: 'sensor' } });
    fireEvent.click(screen.getByRole('button', { name: 'Add module' }));
    expect((await screen.findByRole('alert')).textContent).toContain('already exists on device dev-1');
    expect(within(screen.getByTestId('modules-table')).getAllByRole('row')).toHaveLength(2);
  });

  it('follows modules created elsewhere (modules.changed) and deletes one after confirming', async () => {
    renderWithStudio(<ModulesPanel deviceId="dev-1" />, api);
    await screen.findByText(/No module identities/);
    act(() => void api.modules.create({ deviceId: 'dev-1', moduleId: 'edge-a' }));
    fireEvent.click(await screen.findByRole('button', { name: 'edge-a' }));
    // An existing module shows its connection string when opened (modules.get).
    expect((await screen.findByTestId('module-connection-string')).textContent).toContain('ModuleId=edge-a;');
    fireEvent.click(screen.getByRole('button', { name: 'Delete module edge-a' }));
    fireEvent.click(await screen.findByRole('button', { name: 'Delete module' }));
    await screen.findByText(/No module identities/);
    expect(screen.queryByRole('region', { name: 'Module twin edge-a' })).toBeNull();
    expect(api.calls.filter((call) => call.channel === 'modules.delete').map((call) => call.req)).toEqual([{ deviceId: 'dev-1', moduleId: 'edge-a' }]);
  });

  it('opens a module twin: desired saved through twin.update with the module id and the module’s own etag', async () => {
    const { container } = renderWithStudio(<ModulesPanel deviceId="dev-1" />, api);
    await screen.findByText(/No module identities/);
    await addModule('sensor');
    const twin = await screen.findByRole('region', { name: 'Module twin sensor' });
    await within(twin).findByTestId('reported-json');
    expect(within(twin).getByTestId('twin-etag').textContent).toBe('module-etag-1');
    // The module's reported properties arrive as the module writes them (twin.changed with moduleId).
    act(() => api.fakeModules.report('dev-1', 'sensor', { temperature: 21 }));
    await waitFor(() => expect(within(twin).getByTestId('reported-json').textContent).toContain('"temperature": 21'));
    await act(() => setEditorText(container, 'desired-editor', '{ "rate": 5 }'));
    // The draft is kept under the module twin's key, not the device's.
    expect(readDraft('dev-1/sensor', 'desired')?.text).toBe('{ "rate": 5 }');
    expect(readDraft('dev-1', 'desired')).toBeUndefined();
    const save = within(twin).getByRole('button', { name: 'Save' }) as HTMLButtonElement;
    await waitFor(() => expect(save.disabled).toBe(false));
    fireEvent.click(save);
    await waitFor(() => expect(within(twin).getByTestId('twin-version').textContent).toBe('3'));
    expect(api.calls.find((call) => call.channel === 'twin.update')?.req).toEqual({ deviceId: 'dev-1', moduleId: 'sensor', patch: { desired: { rate: 5 } }, etag: 'module-etag-2' });
    expect(getEditorText(container, 'desired-editor')).toContain('"rate": 5');
    // The device's own twin did not move.
    const deviceTwin = await api.twin.get({ deviceId: 'dev-1' });
    expect(deviceTwin.ok && deviceTwin.value.version).toBe(1);
  });

  it('shows the full module twin with $metadata next to the values', async () => {
    renderWithStudio(<ModulesPanel deviceId="dev-1" />, api);
    await screen.findByText(/No module identities/);
    await addModule('sensor');
    const twin = await screen.findByRole('region', { name: 'Module twin sensor' });
    await within(twin).findByTestId('reported-json');
    act(() => api.fakeModules.report('dev-1', 'sensor', { temperature: 21 }));
    await waitFor(() => expect(within(twin).getByTestId('reported-json').textContent).toContain('temperature'));
    fireEvent.click(within(twin).getByRole('checkbox', { name: /show the full twin/ }));
    const full = within(twin).getByTestId('full-twin');
    expect(full.textContent).toContain('"moduleId": "sensor"');
    const temperature = within(full).getByText('"temperature"').closest('li');
    expect(temperature?.textContent).toContain('21');
    expect(temperature?.querySelector('[title="From $metadata"]')?.textContent).toBe('updated 2026-01-01T00:00:00Z');
  });
});
