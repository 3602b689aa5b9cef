import { describe, expect, it } from 'vitest';

import { IotHubError } from '../../../../../emulator/errors/iothub-error.js';
import { desiredPatchOf } from '../../../../../emulator/services/digital-twins/digital-twin-patch.js';
import { digitalTwinView } from '../../../../../emulator/services/digital-twins/digital-twin-view.js';

const desired = { thermostat1: { __t: 'c', targetTemperature: 20, mode: 'eco' }, fan: 1 };
const reported = { serial: 'x', thermostat1: { __t: 'c', current: 19 } };

describe('Digital twin JSON Patch → desired merge patch', () => {
  it('maps add/replace/remove at the root and inside components, adding the component marker', () => {
    expect(desiredPatchOf([
      { op: 'add', path: ['humidity'], value: 40 },
      { op: 'replace', path: ['thermostat1', 'targetTemperature'], value: 22 },
      { op: 'remove', path: ['fan'] },
      { op: 'add', path: ['thermostat2', 'targetTemperature'], value: 18 },
    ], desired, reported)).toEqual({
      humidity: 40,
      thermostat1: { __t: 'c', targetTemperature: 22 },
      fan: null,
      thermostat2: { __t: 'c', targetTemperature: 18 },
    });
  });

  it('replaces a whole component, clearing the desired properties it no longer lists', () => {
    expect(desiredPatchOf([{ op: 'add', path: ['thermostat1'], value: { targetTemperature: 25, $metadata: {} } }], desired, reported))
      .toEqual({ thermostat1: { __t: 'c', targetTemperature: 25, mode: null } });
  });

  it('refuses to replace a property the twin does not have', () => {
    expect(() => desiredPatchOf([{ op: 'replace', path: ['nothing'], value: 1 }], desired, reported)).toThrow(IotHubError);
  });
});

describe('The digital twin view', () => {
  it('refuses twins with keys that are not DTDL names, as IoT Hub does', () => {
    const twin = { deviceId: 'd', modelId: 'dtmi:x;1', properties: { desired: { 'bad-name': 1, $version: 2 }, reported: { $version: 1 } } };
    expect(() => digitalTwinView(twin)).toThrow(/not digital twin conformant/);
  });

  it('shows a desired-only property in metadata only, with the desired $version when it has no stamp', () => {
    const twin = { deviceId: 'd', modelId: '', properties: { desired: { fan: 1, $version: 4 }, reported: { $version: 1 } } };
    expect(digitalTwinView(twin)).toEqual({ $dtId: 'd', $metadata: { fan: { desiredValue: 1, desiredVersion: 4 } } });
  });
});
