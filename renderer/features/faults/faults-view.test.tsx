// @vitest-environment jsdom
import { cleanup, fireEvent, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';

import { renderWithStudio } from '../../test-utils/render.js';
import { EMPTY_FAULT_FORM, faultSpecOf } from './fault-form.js';
import { FaultsView } from './FaultsView.js';

afterEach(cleanup);

describe('the fault form', () => {
  it('builds the faults.inject spec: a device or the whole hub, durations in ms, percent as a fraction', () => {
    expect(faultSpecOf({ ...EMPTY_FAULT_FORM, fault: 'drop', device: ' d1 ' })).toEqual({ ok: true, spec: { fault: 'drop', device: 'd1' } });
    expect(faultSpecOf({ ...EMPTY_FAULT_FORM, fault: 'lossQos0', percent: '25', durationSeconds: '2.5' })).toEqual({ ok: true, spec: { fault: 'lossQos0', fraction: 0.25, durationMs: 2500 } });
    expect(faultSpecOf({ ...EMPTY_FAULT_FORM, fault: 'latency', latencyMs: '100', jitterMs: '', durationSeconds: '' })).toEqual({ ok: true, spec: { fault: 'latency', latencyMs: 100, jitterMs: 0 } });
    expect(faultSpecOf({ ...EMPTY_FAULT_FORM, fault: 'sdk', device: '' })).toMatchObject({ ok: false });
    expect(faultSpecOf({ ...EMPTY_FAULT_FORM, fault: 'refuseConnections', durationSeconds: '' })).toMatchObject({ ok: false });
    expect(faultSpecOf({ ...EMPTY_FAULT_FORM, fault: 'lossQos0', percent: '150' })).toMatchObject({ ok: false });
  });
});

describe('the Faults view', () => {
  it('injects a timed fault, lists it, and clears it', async () => {
    const { api } = renderWithStudio(<FaultsView />);
    fireEvent.change(screen.getByLabelText('Fault'), { target: { value: 'lossQos0' } });
    fireEvent.change(screen.getByLabelText('Device id'), { target: { value: 'sensor-1' } });
    fireEvent.click(screen.getByRole('button', { name: 'Inject fault' }));
    await waitFor(() => expect(screen.getByRole('status').textContent).toContain('on sensor-1'));
    expect(api.calls.find((call) => call.channel === 'faults.inject')?.req).toEqual({ spec: { fault: 'lossQos0', device: 'sensor-1', fraction: 0.3, durationMs: 10_000 } });
    await waitFor(() => expect(screen.getByTestId('active-fault-1').textContent).toContain('lossQos0 on sensor-1'));
    fireEvent.click(screen.getByRole('button', { name: 'Clear all faults' }));
    await waitFor(() => expect(screen.getByText('No timed fault is in force.')).toBeTruthy());
  });

  it('takes the hub down and brings it back', async () => {
    renderWithStudio(<FaultsView />);
    fireEvent.click(screen.getByRole('button', { name: 'Take the hub down' }));
    await waitFor(() => expect(screen.getByTestId('hub-outage').textContent).toBe('The hub is down.'));
    fireEvent.click(screen.getByRole('button', { name: 'Bring the hub back' }));
    await waitFor(() => expect(screen.getByTestId('hub-outage').textContent).toBe('The hub is up.'));
  });

  it('says what is wrong with the form before calling the hub', async () => {
    const { api } = renderWithStudio(<FaultsView />);
    fireEvent.change(screen.getByLabelText('Fault'), { target: { value: 'sdk' } });
    fireEvent.click(screen.getByRole('button', { name: 'Inject fault' }));
    expect((await screen.findByRole('alert')).textContent).toContain('enter its id');
    expect(api.calls.some((call) => call.channel === 'faults.inject')).toBe(false);
  });
});
