import { describe, expect, it } from 'vitest';

import { toAmqpError } from '../../../../../emulator/errors/to-amqp.js';
import { toHttpError } from '../../../../../emulator/errors/to-http.js';
import type { RequestContext } from '../../../../../emulator/model/request-context.js';
import { RequestGate } from '../../../../../emulator/services/request-gate.js';
import { standardOnlyFeature } from '../../../../../emulator/services/tiers/basic-tier.js';
import { TierEmulation } from '../../../../../emulator/services/tiers/tier-emulation.js';
import { ManualClock } from '../../../../../emulator/util/clock.js';
import { operationFamilyOf } from '../../../../../emulator/services/operation-families.js';

const ctx = (operation: string, protocol: RequestContext['protocol'] = 'http'): RequestContext => ({
  time: '2026-01-01T00:00:00.000Z',
  correlationId: 'c',
  principal: protocol === 'http' ? { kind: 'service', policy: 'iothubowner' } : { kind: 'device', deviceId: 'd1' },
  operation,
  protocol,
});

const STANDARD_ONLY = [
  'GET /twins/{deviceId}',
  'PATCH /twins/{deviceId}',
  'PUT /twins/{deviceId}/modules/{moduleId}',
  'POST /twins/{deviceId}/methods',
  'POST /twins/{deviceId}/modules/{moduleId}/methods',
  'DELETE /devices/{deviceId}/commands',
  'PUT /jobs/v2/{jobId}',
  'GET /jobs/v2/query',
  'GET /configurations',
  'PUT /configurations/{configurationId}',
  'POST /devices/{deviceId}/applyConfigurationContent',
  'GET /digitaltwins/{deviceId}',
  'PATCH /digitaltwins/{deviceId}',
  'POST /digitaltwins/{deviceId}/commands/{commandName}',
];

const BASIC_TOO = [
  'GET /devices/{deviceId}',
  'PUT /devices/{deviceId}',
  'POST /devices',
  'PUT /devices/{deviceId}/modules/{moduleId}',
  'POST /devices/query',
  'POST /jobs/create',
  'GET /jobs/{jobId}',
  'POST /devices/{deviceId}/messages/events',
  'GET /devices/{deviceId}/messages/devicebound',
  'POST /devices/{deviceId}/files',
];

describe('standardOnlyFeature', () => {
  it.each(STANDARD_ONLY)('%s needs a standard hub', (operation) => {
    expect(standardOnlyFeature(operationFamilyOf(operation), operation)).toBeDefined();
  });

  it.each(BASIC_TOO)('%s works on a Basic hub', (operation) => {
    expect(standardOnlyFeature(operationFamilyOf(operation), operation)).toBeUndefined();
  });

  it('knows the device transports’ twin operations and C2D sends', () => {
    expect(standardOnlyFeature('twinRead', 'twin.get')).toBe('device twins');
    expect(standardOnlyFeature('twinUpdate', 'twin.request')).toBe('device twins');
    expect(standardOnlyFeature('cloudToDeviceSend', 'c2d.send')).toBe('cloud-to-device messages');
    expect(standardOnlyFeature('deviceToCloud', 'telemetry.send')).toBeUndefined();
    expect(standardOnlyFeature('deviceConnection', 'device.connect')).toBeUndefined();
  });
});

describe('TierEmulation on a Basic hub', () => {
  it('refuses standard-only operations with 403010 before counting them, and serves the rest', async () => {
    const clock = new ManualClock('2026-01-01T00:00:00Z');
    const gate = new RequestGate();
    const tier = new TierEmulation({ name: 'B1' }, clock);
    gate.add(tier);
    const refusal = await gate.admit(ctx('twin.patchReported', 'mqtt')).catch((error: unknown) => error);
    expect(refusal).toMatchObject({ code: 'OperationNotAvailableInCurrentTier', httpStatus: 403, errorCode: 403010 });
    expect((refusal as Error).message).toContain('B1');
    const wire = toHttpError(refusal, clock.now());
    expect(wire.status).toBe(403);
    expect(wire.headers['iothub-errorcode']).toBe('OperationNotAvailableInCurrentTier');
    expect(JSON.parse(wire.body)).toMatchObject({ Message: expect.stringContaining('ErrorCode:OperationNotAvailableInCurrentTier;') });
    expect(toAmqpError(refusal).condition).toBe('amqp:not-allowed');
    await expect(gate.admit(ctx('c2d.send', 'amqp'), { deviceId: 'd1' })).rejects.toMatchObject({ errorCode: 403010 });
    await gate.admit(ctx('telemetry.send', 'mqtt'), { bytes: 10 });
    await gate.admit(ctx('POST /jobs/create'));
    // The refused requests used none of the day's quota; the D2C message used one.
    expect(tier.usage().dailyQuota.used).toBe(1);
    // The studio is no device or back end: it is never refused.
    await gate.admit(ctx('PATCH /twins/{deviceId}', 'studio'));
  });

  it('refuses nothing on a standard hub', async () => {
    const gate = new RequestGate();
    gate.add(new TierEmulation({ name: 'S1' }, new ManualClock('2026-01-01T00:00:00Z')));
    await gate.admit(ctx('PATCH /twins/{deviceId}'), { deviceId: 'd1' });
    await gate.admit(ctx('PUT /jobs/v2/{jobId}'));
  });
});
