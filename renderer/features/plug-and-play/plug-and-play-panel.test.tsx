// @vitest-environment jsdom
import { cleanup, fireEvent, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';

import { createFakeApi } from '../../api/fake-client.js';
import { renderWithStudio } from '../../test-utils/render.js';
import { propertyRows } from './digital-twin-rows.js';
import { PlugAndPlayPanel } from './PlugAndPlayPanel.js';

afterEach(cleanup);

describe('digital twin rows', () => {
  it('lists root and component properties with their acknowledgement state', () => {
    const rows = propertyRows({
      $dtId: 'd',
      serial: 'S1',
      thermostat1: {
        targetTemperature: 21,
        $metadata: {
          targetTemperature: { desiredValue: 22, desiredVersion: 3, ackVersion: 2, ackCode: 200, lastUpdateTime: 't' },
          mode: { desiredValue: 'eco', desiredVersion: 3, ackVersion: 3, ackCode: 400, ackDescription: 'no' },
        },
      },
      $metadata: { $model: 'dtmi:x;1', serial: { lastUpdateTime: 't' }, fan: { desiredValue: 1, desiredVersion: 2, ackVersion: 2, ackCode: 200 } },
    });
    expect(rows.map((row) => [row.name, row.state])).toEqual([
      ['serial', 'reported'], ['fan', 'synced'], ['thermostat1.targetTemperature', 'pending'], ['thermostat1.mode', 'rejected'],
    ]);
    expect(rows[2]).toMatchObject({ value: 21, desiredValue: 22, desiredVersion: 3, ackVersion: 2 });
  });
});

describe('the Plug and Play panel', () => {
  it('shows the properties and invokes a component command as component*command', async () => {
    const api = createFakeApi();
    api.addDevice('p1', { desired: { fan: 2 }, reported: { serial: 'S1' } });
    renderWithStudio(<PlugAndPlayPanel deviceId="p1" />, api);
    expect((await screen.findByTestId('pnp-model')).textContent).toContain('has not announced a model id');
    await waitFor(() => expect(screen.getByTestId('pnp-state-fan').textContent).toBe('pending'));
    fireEvent.change(screen.getByLabelText('Component (optional)'), { target: { value: 'thermostat1' } });
    fireEvent.change(screen.getByLabelText('Command name'), { target: { value: 'getMaxMinReport' } });
    fireEvent.click(screen.getByRole('button', { name: 'Invoke command' }));
    expect((await screen.findByTestId('pnp-command-status')).textContent).toBe('200');
    expect(screen.getByLabelText('Command response').textContent).toContain('thermostat1*getMaxMinReport');
  });
});
