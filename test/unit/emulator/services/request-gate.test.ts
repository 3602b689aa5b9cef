import { describe, expect, it } from 'vitest';

import { argumentInvalid } from '../../../../emulator/errors/catalogue.js';
import { IotHubError } from '../../../../emulator/errors/iothub-error.js';
import type { RequestContext } from '../../../../emulator/model/request-context.js';
import { operationFamilyOf } from '../../../../emulator/services/operation-families.js';
import { RequestGate, type GateRequest } from '../../../../emulator/services/request-gate.js';

const deviceCtx = (operation: string): RequestContext => ({
  time: '2026-01-01T00:00:00.000Z',
  correlationId: 'c1',
  principal: { kind: 'device', deviceId: 'd1', moduleId: 'm1' },
  operation,
  protocol: 'mqtt',
});

describe('RequestGate', () => {
  it('admits everything and looks at nothing without checks', async () => {
    const gate = new RequestGate();
    expect(gate.active).toBe(false);
    const first = gate.admit(deviceCtx('twin.get'));
    expect(first).toBe(gate.admit(deviceCtx('telemetry.send')));
    await expect(first).resolves.toBeUndefined();
  });

  it('runs checks in order with the family, device and size of the request, and stops at the first refusal', async () => {
    const gate = new RequestGate();
    const seen: string[] = [];
    let request: GateRequest | undefined;
    gate.add({ name: 'record', check: (r) => { seen.push('record'); request = r; } });
    const remove = gate.add({ name: 'refuse', check: () => { seen.push('refuse'); throw argumentInvalid('no'); } });
    gate.add({ name: 'never', check: () => { seen.push('never'); } });
    expect(gate.checkNames).toEqual(['record', 'refuse', 'never']);
    await expect(gate.admit(deviceCtx('twin.patchReported'), { bytes: 12 })).rejects.toBeInstanceOf(IotHubError);
    expect(seen).toEqual(['record', 'refuse']);
    expect(request).toMatchObject({ family: 'twinUpdate', deviceId: 'd1', moduleId: 'm1', bytes: 12 });
    remove();
    seen.length = 0;
    await gate.admit(deviceCtx('twin.get'));
    expect(seen).toEqual(['record', 'never']);
  });

  it('waits for a check that returns a promise before running the next, and a check added first runs first', async () => {
    const gate = new RequestGate();
    const seen: string[] = [];
    let release: () => void = () => undefined;
    gate.add({ name: 'slow', check: () => new Promise<void>((resolve) => { seen.push('slow'); release = resolve; }) });
    gate.add({ name: 'after', check: () => { seen.push('after'); } });
    gate.add({ name: 'fault', check: () => { seen.push('fault'); } }, 'first');
    const admitted = gate.admit(deviceCtx('telemetry.send'));
    await Promise.resolve();
    expect(seen).toEqual(['fault', 'slow']);
    release();
    await admitted;
    expect(seen).toEqual(['fault', 'slow', 'after']);
  });

  it('takes the REST path device id and an explicit family from the edge', async () => {
    const gate = new RequestGate();
    let request: GateRequest | undefined;
    gate.add({ name: 'record', check: (r) => { request = r; } });
    await gate.admit({ ...deviceCtx('PATCH /twins/{deviceId}'), principal: { kind: 'service', policy: 'iothubowner' } }, { deviceId: 'd9' });
    expect(request).toMatchObject({ family: 'twinUpdate', deviceId: 'd9', moduleId: undefined, bytes: 0 });
    await gate.admit(deviceCtx('twin.request'), { family: 'twinRead' });
    expect(request?.family).toBe('twinRead');
  });
});

describe('operationFamilyOf', () => {
  it.each([
    ['telemetry.send', 'deviceToCloud'],
    ['twin.get', 'twinRead'],
    ['twin.patchReported', 'twinUpdate'],
    ['c2d.send', 'cloudToDeviceSend'],
    ['device.connect', 'deviceConnection'],
    ['GET /twins/{deviceId}', 'twinRead'],
    ['PATCH /twins/{deviceId}/modules/{moduleId}', 'twinUpdate'],
    ['PUT /twins/{deviceId}', 'twinUpdate'],
    ['POST /twins/{deviceId}/methods', 'directMethod'],
    ['POST /twins/{deviceId}/modules/{moduleId}/methods', 'directMethod'],
    ['POST /digitaltwins/{deviceId}/commands/{commandName}', 'directMethod'],
    ['POST /devices/query', 'query'],
    ['GET /devices', 'identityRegistry'],
    ['PUT /devices/{deviceId}', 'identityRegistry'],
    ['POST /devices', 'identityRegistry'],
    ['DELETE /devices/{deviceId}/modules/{moduleId}', 'identityRegistry'],
    ['POST /devices/{deviceId}/messages/events', 'deviceToCloud'],
    ['GET /devices/{deviceId}/messages/devicebound', 'cloudToDeviceReceive'],
    ['POST /devices/{deviceId}/files', 'fileUpload'],
    ['PUT /jobs/v2/{jobId}', 'jobs'],
    ['PUT /configurations/{configurationId}', 'configurations'],
    ['POST /devices/{deviceId}/applyConfigurationContent', 'configurations'],
    ['method.respond', 'other'],
    ['GET /statistics/devices', 'other'],
  ])('%s → %s', (operation, family) => {
    expect(operationFamilyOf(operation)).toBe(family);
  });
});
