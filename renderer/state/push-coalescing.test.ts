import { describe, expect, it } from 'vitest';

import type { DeviceSummary } from '../../main/contract/index.js';
import { createFakeApi } from '../api/fake-client.js';
import { StudioState } from './studio-state.js';

function summary(deviceId: string, tags = 0): DeviceSummary {
  return { deviceId, status: 'enabled', statusReason: null, connectionState: 'Disconnected', lastActivityTime: `2026-01-01T00:00:${String(tags % 60).padStart(2, '0')}Z`, authenticationType: 'sas', twinVersion: 1 + tags, simulated: false, connectedVia: null };
}

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
  expect(check()).toBe(true);
}

describe('device pushes are coalesced', () => {
  it('10,000 registrations and 10,000 tag updates reach the list in a handful of store updates, not 20,000', async () => {
    const api = createFakeApi();
    const state = new StudioState(api);
    const dispose = state.start();
    try {
      await until(() => state.devices.get().status === 'ready');
      let updates = 0;
      state.devices.subscribe(() => (updates += 1));
      for (let i = 0; i < 10_000; i++) api.emit('devices.changed', { deviceId: `d${i}`, reason: 'created', device: summary(`d${i}`) });
      for (let i = 0; i < 10_000; i++) api.emit('devices.changed', { deviceId: `d${i}`, reason: 'twin', device: summary(`d${i}`, 1) });
      api.emit('devices.changed', { deviceId: 'd5', reason: 'deleted' });
      expect(updates).toBe(0);
      await until(() => state.devices.get().devices.size === 9_999);
      expect(updates).toBeLessThanOrEqual(2);
      expect(state.devices.get().devices.get('d7')?.twinVersion).toBe(2);
      expect(state.devices.get().devices.has('d5')).toBe(false);
    } finally {
      dispose();
    }
  });
});
