// @vitest-environment jsdom
import { act, cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';

import { createFakeApi } from '../../api/fake-client.js';
import { renderWithStudio } from '../../test-utils/render.js';
import { ProvisioningView } from './ProvisioningView.js';

afterEach(cleanup);

describe('the Provisioning view', () => {
  it('shows the ID scope, adds an enrollment with an initial twin and a disabled group, and lists them', async () => {
    const { api } = renderWithStudio(<ProvisioningView />);
    expect((await screen.findByTestId('id-scope')).textContent).toBe('0ne0000ABCD');

    const individual = screen.getByRole('form', { name: 'Add individual enrollment' });
    fireEvent.change(within(individual).getByLabelText('Registration id'), { target: { value: 'sensor-1' } });
    fireEvent.change(within(individual).getByLabelText('Initial desired (JSON)'), { target: { value: '{"interval":30}' } });
    fireEvent.click(within(individual).getByRole('button', { name: 'Add enrollment' }));
    const enrollments = screen.getByRole('region', { name: 'Individual enrollments' });
    await waitFor(() => expect(within(enrollments).getByText('sensor-1')).toBeTruthy());
    expect(api.calls.find((call) => call.channel === 'provisioning.putEnrollment')?.req).toEqual({ registrationId: 'sensor-1', provisioningStatus: 'enabled', desired: { interval: 30 } });

    const group = screen.getByRole('form', { name: 'Add enrollment group' });
    fireEvent.change(within(group).getByLabelText('Enrollment group id'), { target: { value: 'fleet' } });
    fireEvent.click(within(group).getByLabelText('Disabled'));
    fireEvent.click(within(group).getByRole('button', { name: 'Add group' }));
    const groups = screen.getByRole('region', { name: 'Enrollment groups' });
    await waitFor(() => expect(within(groups).getByText('disabled')).toBeTruthy());
  });

  it('refuses initial twin text that is not a JSON object without calling the hub', async () => {
    const { api } = renderWithStudio(<ProvisioningView />);
    const individual = await screen.findByRole('form', { name: 'Add individual enrollment' });
    fireEvent.change(within(individual).getByLabelText('Registration id'), { target: { value: 'x' } });
    fireEvent.change(within(individual).getByLabelText('Initial tags (JSON)'), { target: { value: '[1]' } });
    fireEvent.click(within(individual).getByRole('button', { name: 'Add enrollment' }));
    expect((await within(individual).findByRole('status')).textContent).toBe('Tags must be a JSON object.');
    expect(api.calls.some((call) => call.channel === 'provisioning.putEnrollment')).toBe(false);
  });

  it('derives a member key from the chosen group and shows the registration history', async () => {
    const api = createFakeApi();
    await api.provisioning.putGroup({ enrollmentGroupId: 'fleet', provisioningStatus: 'enabled' });
    api.addRegistration({ registrationId: 'member-9', status: 'assigned', substatus: 'initialAssignment', deviceId: 'member-9', enrollmentGroupId: 'fleet', errorMessage: null, lastUpdatedDateTimeUtc: '2026-01-01T00:00:00Z' });
    renderWithStudio(<ProvisioningView />, api);
    const helper = await screen.findByRole('region', { name: 'Derive device key' });
    fireEvent.change(within(helper).getByLabelText('Registration id'), { target: { value: 'member-9' } });
    fireEvent.click(within(helper).getByRole('button', { name: 'Derive' }));
    expect((await screen.findByTestId('derived-key')).textContent).toBe('derived(key-of-fleet,member-9)');
    const history = screen.getByTestId('registrations');
    expect(within(history).getByText('assigned (initialAssignment)')).toBeTruthy();
    fireEvent.click(within(history).getByRole('button', { name: 'Forget registration member-9' }));
    await waitFor(() => expect(screen.queryByTestId('registrations')).toBeNull());
  });

  it('refreshes when the hub pushes provisioning.changed', async () => {
    const api = createFakeApi();
    renderWithStudio(<ProvisioningView />, api);
    await screen.findByTestId('id-scope');
    expect(screen.queryByTestId('registrations')).toBeNull();
    api.addRegistration({ registrationId: 'late-1', status: 'assigned', substatus: 'initialAssignment', deviceId: 'late-1', enrollmentGroupId: null, errorMessage: null, lastUpdatedDateTimeUtc: '2026-01-01T00:00:01Z' });
    act(() => api.emit('provisioning.changed', { kinds: ['registrationPut'] }));
    expect(within(await screen.findByTestId('registrations')).getAllByText('late-1')).toHaveLength(2);
  });

  it('names X.509 enrollments instead of showing an empty key, and derives keys only for symmetric-key groups', async () => {
    const api = createFakeApi();
    const x509 = { kind: 'group' as const, deviceId: null, provisioningStatus: 'enabled' as const, attestationType: 'x509', primaryKey: '', secondaryKey: '', tags: {}, desired: {}, etag: '"1"', lastUpdatedDateTimeUtc: '2026-01-01T00:00:00Z' };
    api.override('provisioning.overview', () => ({
      ok: true,
      value: {
        idScope: '0ne0000ABCD', hostName: 'localhost', serviceConnectionString: 'HostName=localhost;SharedAccessKeyName=provisioningserviceowner;SharedAccessKey=ZHBz',
        enrollments: [{ ...x509, id: 'cert-device', kind: 'individual' }],
        groups: [{ ...x509, id: 'cert-fleet' }, { ...x509, id: 'key-fleet', attestationType: 'symmetricKey', primaryKey: 'a2V5' }],
        registrations: [],
      },
    }));
    renderWithStudio(<ProvisioningView />, api);
    const groups = await screen.findByRole('region', { name: 'Enrollment groups' });
    expect(within(within(groups).getByText('cert-fleet').closest('tr') as HTMLElement).getByText('X.509 certificate')).toBeTruthy();
    expect(within(screen.getByRole('region', { name: 'Individual enrollments' })).getByText('X.509 certificate')).toBeTruthy();
    const helper = screen.getByRole('region', { name: 'Derive device key' });
    expect(within(helper).getAllByRole('option').map((option) => option.textContent)).toEqual(['key-fleet']);
  });
});
