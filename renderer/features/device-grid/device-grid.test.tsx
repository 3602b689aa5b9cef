// @vitest-environment jsdom
import { act, cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { createFakeApi, type FakeApi } from '../../api/fake-client.js';
import { renderWithStudio } from '../../test-utils/render.js';
import { DeviceGrid } from './DeviceGrid.js';
import { viewRows, twinFacts } from './grid-model.js';

let api: FakeApi;
beforeEach(() => {
  window.localStorage.clear();
  api = createFakeApi();
});
afterEach(cleanup);

const rowIds = () => [...document.querySelectorAll('[data-testid="grid-body"] [role="row"]')].map((row) => row.getAttribute('data-device-id'));

describe('the device grid', () => {
  it('counts, sorts, filters by id/tag text and by a query, with tag and pending-desired columns', async () => {
    api.addDevice('pump-2', { tags: { site: 'lab' }, desired: { speed: 3 }, reported: {} });
    api.addDevice('pump-10', { tags: { site: 'field' } });
    api.addDevice('fan-1', { tags: { site: 'lab', floor: 2 } });
    renderWithStudio(<DeviceGrid onOpen={() => undefined} />, api);
    await waitFor(() => expect(screen.getByTestId('grid-count').textContent).toBe('3 devices · 3 shown · 0 selected'));
    expect(rowIds()).toEqual(['fan-1', 'pump-2', 'pump-10']);
    fireEvent.click(screen.getByRole('button', { name: 'Device id ▲' }));
    expect(rowIds()).toEqual(['pump-10', 'pump-2', 'fan-1']);

    fireEvent.change(screen.getByLabelText('Tag path to add as a column'), { target: { value: 'site' } });
    fireEvent.click(screen.getByRole('button', { name: 'Add column' }));
    await waitFor(() => expect(within(document.querySelector('[data-device-id="pump-2"]') as HTMLElement).getByTitle('lab')).toBeTruthy());
    const pending = within(document.querySelector('[data-device-id="pump-2"]') as HTMLElement).getAllByRole('cell')[7];
    expect(pending?.textContent).toBe('1');

    fireEvent.change(screen.getByLabelText('Filter devices by id or tag'), { target: { value: 'LAB' } });
    expect(rowIds()).toEqual(['pump-2', 'fan-1']);
    fireEvent.change(screen.getByLabelText('Filter devices by id or tag'), { target: { value: '' } });
    fireEvent.change(screen.getByLabelText('Filter by query'), { target: { value: "tags.site = 'field'" } });
    fireEvent.click(screen.getByRole('button', { name: 'Apply query' }));
    await waitFor(() => expect(rowIds()).toEqual(['pump-10']));
    expect(api.calls.some((call) => call.channel === 'query.run' && (call.req as { query: string }).query === "SELECT deviceId FROM devices WHERE tags.site = 'field'")).toBe(true);
  });

  it('selects a range with shift and applies a tag patch, enable/disable and delete to every selected device', async () => {
    for (const id of ['a', 'b', 'c', 'd']) api.addDevice(id);
    renderWithStudio(<DeviceGrid onOpen={() => undefined} />, api);
    await waitFor(() => expect(rowIds()).toEqual(['a', 'b', 'c', 'd']));
    fireEvent.click(screen.getByLabelText('Select a'));
    fireEvent.click(screen.getByLabelText('Select c'), { shiftKey: true });
    expect(screen.getByTestId('grid-count').textContent).toContain('3 selected');
    const bar = screen.getByRole('region', { name: 'Bulk actions' });
    fireEvent.change(within(bar).getByLabelText('Patch JSON'), { target: { value: '{ "site": "lab" }' } });
    fireEvent.click(within(bar).getByRole('button', { name: 'Apply patch' }));
    await waitFor(() => expect(screen.getByTestId('bulk-progress').textContent).toBe('3 of 3 done'));
    const patched = api.calls.filter((call) => call.channel === 'twin.update').map((call) => call.req);
    expect(patched).toEqual(['a', 'b', 'c'].map((deviceId) => ({ deviceId, patch: { tags: { site: 'lab' } }, etag: '*' })));
    fireEvent.click(within(bar).getByRole('button', { name: 'Disable' }));
    await waitFor(() => expect(api.calls.filter((call) => call.channel === 'devices.setStatus')).toHaveLength(3));
    fireEvent.click(within(bar).getByRole('button', { name: 'Delete…' }));
    fireEvent.click(within(await screen.findByRole('dialog')).getByRole('button', { name: 'Delete devices' }));
    await waitFor(() => expect(rowIds()).toEqual(['d']));
    await act(async () => undefined);
  });

  it('sorts and filters 10,000 rows', () => {
    const devices = Array.from({ length: 10_000 }, (_, i) => ({
      deviceId: `dev-${i}`, status: 'enabled' as const, statusReason: null, connectionState: 'Disconnected' as const, lastActivityTime: new Date(Date.UTC(2026, 0, 1, 0, 0, i % 3600)).toISOString(),
      authenticationType: 'sas', twinVersion: 1, simulated: false, connectedVia: null,
    }));
    const twins = new Map(devices.map((device, i) => [device.deviceId, twinFacts({ deviceId: device.deviceId, tags: { rack: `r${i % 50}` } })]));
    const map = new Map(devices.map((device) => [device.deviceId, device]));
    const sorted = viewRows(map, twins, { sort: { column: 'deviceId', descending: false }, text: '' });
    expect(sorted.slice(0, 3).map((row) => row.device.deviceId)).toEqual(['dev-0', 'dev-1', 'dev-2']);
    expect(viewRows(map, twins, { sort: { column: 'deviceId', descending: true }, text: '' })[0]?.device.deviceId).toBe('dev-9999');
    expect(viewRows(map, twins, { sort: { column: 'deviceId', descending: false }, text: '"r7"' })).toHaveLength(200);
    expect(viewRows(map, twins, { sort: { column: 'lastActivity', descending: true }, text: '' })[0]?.device.lastActivityTime).toBe('2026-01-01T00:59:59.000Z');
    // A device added or removed changes the order the next time.
    map.delete('dev-1');
    map.set('dev-10000', { ...devices[0]!, deviceId: 'dev-10000' });
    const again = viewRows(map, twins, { sort: { column: 'deviceId', descending: false }, text: '' }).map((row) => row.device.deviceId);
    expect(again.slice(0, 2)).toEqual(['dev-0', 'dev-2']);
    expect(again.at(-1)).toBe('dev-10000');
  });
});

describe('natural id order', () => {
  it('sorts ids as people read them, as the collator does', async () => {
    const { compareIds, sortByNaturalId } = await import('../devices/device-filter.js');
    // Punctuation may order differently from the collator (ICU puts _ before -); letters, case and numbers agree.
    const ids = ['dev-10', 'Dev-2', 'dev-1', 'a', 'dev-3x', 'pump-100', 'pump-99', 'B-1', 'b-2'];
    expect(sortByNaturalId(ids, (id) => id).map((id) => id.toLowerCase())).toEqual([...ids].sort(compareIds).map((id) => id.toLowerCase()));
  });
});
