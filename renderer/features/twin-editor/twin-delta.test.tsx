// @vitest-environment jsdom
import { cleanup, screen } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { createFakeApi } from '../../api/fake-client.js';
import { renderWithStudio } from '../../test-utils/render.js';
import { forgetDrafts } from './draft-store.js';
import { forgetSeen } from './last-seen.js';
import { twinDelta } from './twin-delta.js';
import { TwinPanel } from './TwinPanel.js';

beforeEach(() => {
  forgetSeen();
  forgetDrafts();
});
afterEach(cleanup);

describe('the delta with IoT Plug and Play acks', () => {
  it('matches an ack by av against the desired $version: acknowledged, pending, rejected', () => {
    const desired = { targetTemperature: 25, fan: 2, mode: 'eco', thermostat1: { __t: 'c', setPoint: 20 }, $version: 4 };
    const reported = {
      targetTemperature: { value: 25, ac: 200, av: 4 },
      fan: { value: 1, ac: 200, av: 3 },
      mode: { value: 'eco', ac: 400, av: 4, ad: 'unsupported mode' },
      thermostat1: { __t: 'c', setPoint: { value: 20, ac: 202, av: 4, ad: 'heating' } },
      $version: 9,
    };
    const entries = twinDelta(desired, reported);
    expect(entries.map((entry) => [entry.path.join('.'), entry.state, entry.reported])).toEqual([
      ['fan', 'pending', 1],
      ['mode', 'rejected', 'eco'],
      ['thermostat1.setPoint', 'pending', 20],
    ]);
    expect(entries[1]?.ack).toEqual({ code: 400, version: 4, description: 'unsupported mode' });
  });

  it('keeps the plain mirror convention: a missing or different value is listed', () => {
    expect(twinDelta({ a: 1, b: 2, $version: 2 }, { a: 1, b: 3 }).map((entry) => [entry.path.join('.'), entry.state])).toEqual([['b', 'different']]);
    expect(twinDelta({ a: 1, $version: 2 }, {}).map((entry) => entry.state)).toEqual(['missing']);
  });

  it('a device acknowledging desired targetTemperature with {value, ac: 200, av} is in sync in the twin view', async () => {
    const api = createFakeApi();
    // The fake's desired $version starts at 1.
    api.addDevice('pnp-1', { desired: { targetTemperature: 25, fan: 3 }, reported: { targetTemperature: { value: 25, ac: 200, av: 1 }, fan: { value: 3, ac: 500, av: 1, ad: 'motor stuck' } } });
    renderWithStudio(<TwinPanel deviceId="pnp-1" />, api);
    const table = await screen.findByTestId('delta-table');
    expect(table.textContent).not.toContain('targetTemperature');
    expect(table.querySelector('tr[data-state="rejected"]')?.textContent).toContain('rejected by the device (ac 500, av 1: motor stuck)');
  });
});
