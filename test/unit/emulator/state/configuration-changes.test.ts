import { describe, expect, it } from 'vitest';

import type { HubChange } from '../../../../emulator/model/changes.js';
import type { ConfigurationRecord } from '../../../../emulator/model/configuration.js';
import type { DeviceRecord } from '../../../../emulator/model/device.js';
import { emptyHubState } from '../../../../emulator/model/hub-state.js';
import { applyChange } from '../../../../emulator/state/apply-change.js';
import { changesProblem, stateProblem } from '../../../../emulator/store/record-schema.js';

const TIME = '2026-01-01T00:00:00.000Z';
const RECORD: ConfigurationRecord = {
  id: 'c1', schemaVersion: '1.0', labels: { a: 'b' }, content: { deviceContent: { 'properties.desired.x': 1 } }, targetCondition: '*',
  priority: 2, createdTimeUtc: TIME, lastUpdatedTimeUtc: TIME, metricQueries: {}, version: 1,
};
const section = { data: {}, metadata: { $lastUpdated: TIME }, version: 1 };
const DEVICE: DeviceRecord = {
  deviceId: 'd1', generationId: '1', identityVersion: 1, status: 'enabled', statusReason: null, statusUpdatedTime: TIME,
  connectionStateUpdatedTime: TIME, lastActivityTime: TIME,
  authentication: { type: 'sas', symmetricKey: { primaryKey: 'a', secondaryKey: 'b' }, x509Thumbprint: { primaryThumbprint: null, secondaryThumbprint: null } },
  capabilities: { iotEdge: false },
  twin: { tags: {}, desired: section, reported: section, version: 1, modelId: '' },
};

describe('The reducer for configurations', () => {
  it('puts and deletes configurations and sets a twin configurations map without a version step', () => {
    const state = emptyHubState();
    const changes: HubChange[] = [
      { kind: 'devicePut', record: DEVICE },
      { kind: 'configurationPut', record: RECORD },
      { kind: 'twinConfigurationsSet', target: { deviceId: 'd1' }, configurations: { c1: { status: 'Applied' } } },
    ];
    expect(changesProblem(changes)).toBeUndefined();
    for (const change of changes) applyChange(state, change, { historyLimit: 0 });
    expect(state.configurations.c1).toEqual(RECORD);
    expect(state.devices.d1?.twin).toMatchObject({ version: 1, configurations: { c1: { status: 'Applied' } } });
    expect(stateProblem(state as unknown as Parameters<typeof stateProblem>[0])).toBeUndefined();
    applyChange(state, { kind: 'twinConfigurationsSet', target: { deviceId: 'd1' }, configurations: {} }, { historyLimit: 0 });
    applyChange(state, { kind: 'configurationDeleted', id: 'c1' }, { historyLimit: 0 });
    expect(state.devices.d1?.twin.configurations).toBeUndefined();
    expect(state.configurations).toEqual({});
  });

  it('rejects a twin status the hub does not use', () => {
    expect(changesProblem([{ kind: 'twinConfigurationsSet', target: { deviceId: 'd1' }, configurations: { c1: { status: 'applied' } } }])).toMatch(/^changes\[0\]\.configurations/);
  });
});
