// @vitest-environment jsdom
import { act, cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';

import type { SimulationDto } from '../../../main/contract/index.js';
import { createFakeApi } from '../../api/fake-client.js';
import { renderWithStudio } from '../../test-utils/render.js';
import { DeviceDetailsView } from './DeviceDetailsView.js';

afterEach(cleanup);

describe('the simulation bar: apply on click', () => {
  it('switches apply-on-click on, lists the desired changes waiting, applies them on click, and switches off', async () => {
    const api = createFakeApi();
    const created = await api.simulations.create({ deviceId: 'th-1', profile: 'thermostat' });
    if (!created.ok) throw new Error('no simulation');
    renderWithStudio(<DeviceDetailsView deviceId="th-1" onDeleted={() => undefined} />, api);
    const bar = await screen.findByTestId('simulation-bar');
    const toggle = within(bar).getByLabelText('Apply desired changes on click') as HTMLInputElement;
    expect(toggle.checked).toBe(false);
    expect(within(bar).queryByRole('button', { name: /^Apply / })).toBeNull();

    fireEvent.click(toggle);
    await waitFor(() => expect(toggle.checked).toBe(true));
    expect(api.calls.find((call) => call.channel === 'simulations.setApplyOnClick')?.req).toEqual({ deviceId: 'th-1', on: true });
    expect((within(bar).getByRole('button', { name: 'Apply 0 desired changes' }) as HTMLButtonElement).disabled).toBe(true);

    // The host pushes the device's status when a desired change arrives and is held.
    const held: SimulationDto = { ...created.value, applyOnClick: { held: [{ property: 'targetTemperature', value: '25', version: 4, receivedAt: '2026-01-01T00:00:00.000Z' }] } };
    act(() => api.emit('simulations.changed', { deviceId: 'th-1', simulation: held }));
    const waiting = await within(bar).findByRole('list', { name: 'Desired changes received, not applied yet' });
    expect(waiting.textContent).toBe('targetTemperature = 25 (desired $version 4)');
    fireEvent.click(within(bar).getByRole('button', { name: 'Apply 1 desired change' }));
    await waitFor(() => expect(within(bar).queryByRole('list', { name: 'Desired changes received, not applied yet' })).toBeNull());
    expect(api.calls.filter((call) => call.channel === 'simulations.applyDesired').map((call) => call.req)).toEqual([{ deviceId: 'th-1' }]);

    fireEvent.click(toggle);
    await waitFor(() => expect(toggle.checked).toBe(false));
    expect(within(bar).queryByRole('button', { name: /^Apply / })).toBeNull();
  });
});
