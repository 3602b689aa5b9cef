import { describe, expect, it } from 'vitest';

import { throttled } from '../../../../../emulator/errors/catalogue.js';
import { toHttpError } from '../../../../../emulator/errors/to-http.js';
import { toAmqpError } from '../../../../../emulator/errors/to-amqp.js';
import { RequestGate } from '../../../../../emulator/services/request-gate.js';
import { TierEmulation } from '../../../../../emulator/services/tiers/tier-emulation.js';
import { HUB_TIERS, tierLimits } from '../../../../../emulator/services/tiers/tier-table.js';
import { ManualClock } from '../../../../../emulator/util/clock.js';
import type { RequestContext } from '../../../../../emulator/model/request-context.js';

describe('tierLimits', () => {
  it('has IoT Hub documented S1 limits for one unit', () => {
    const s1 = tierLimits('S1', 1);
    expect(s1.families.twinUpdate).toEqual({ amount: 50, windowSeconds: 1, cost: 'operation' });
    expect(s1.families.twinRead).toEqual({ amount: 100, windowSeconds: 1, cost: 'operation' });
    expect(s1.families.deviceToCloud?.amount).toBe(100);
    expect(s1.families.deviceConnection?.amount).toBe(100);
    expect(s1.families.identityRegistry).toEqual({ amount: 100, windowSeconds: 60, cost: 'operation' });
    expect(s1.families.query).toEqual({ amount: 20, windowSeconds: 60, cost: 'operation' });
    expect(s1.families.cloudToDeviceSend).toEqual({ amount: 100, windowSeconds: 60, cost: 'operation' });
    expect(s1.families.directMethod).toEqual({ amount: 40, windowSeconds: 1, cost: 'chunk4k' });
    expect(s1.dailyQuota).toEqual({ messages: 400_000, meterBytes: 4096 });
  });

  it('scales per unit where IoT Hub does, with the documented floors', () => {
    expect(tierLimits('S1', 10).families.deviceToCloud?.amount).toBe(120);
    expect(tierLimits('S1', 10).families.twinUpdate?.amount).toBe(50);
    expect(tierLimits('S2', 20).families.twinUpdate?.amount).toBe(100);
    expect(tierLimits('S2', 2).families.twinRead?.amount).toBe(100);
    expect(tierLimits('S3', 2).families.twinRead?.amount).toBe(1000);
    expect(tierLimits('S3', 1).families.identityRegistry?.amount).toBe(5000);
    expect(tierLimits('S2', 3).dailyQuota.messages).toBe(18_000_000);
    expect(tierLimits('F1').dailyQuota).toEqual({ messages: 8000, meterBytes: 512 });
  });

  it('gives Basic tiers no standard-only families and refuses impossible unit counts', () => {
    const b1 = tierLimits('B1');
    expect(b1.families.twinRead).toBeUndefined();
    expect(b1.families.cloudToDeviceSend).toBeUndefined();
    expect(b1.families.deviceToCloud?.amount).toBe(100);
    expect(() => tierLimits('F1', 2)).toThrow(/1 to 1 units/);
    expect(() => tierLimits('S3', 11)).toThrow(/1 to 10 units/);
    expect(() => tierLimits('S1', 0)).toThrow();
    expect(() => tierLimits('X9' as never)).toThrow(/unknown IoT Hub tier/);
    for (const tier of HUB_TIERS) expect(tierLimits(tier).tier).toBe(tier);
  });
});

describe('TierEmulation on the gate', () => {
  const ctx = (operation: string, protocol: RequestContext['protocol'] = 'mqtt'): RequestContext => ({
    time: '2026-01-01T00:00:00.000Z',
    correlationId: 'c',
    principal: { kind: 'device', deviceId: 'd1' },
    operation,
    protocol,
  });

  it('refuses the request after the shaping queue with 429001 and Retry-After, and never counts the studio', async () => {
    const clock = new ManualClock('2026-01-01T00:00:00Z');
    const gate = new RequestGate();
    const tier = new TierEmulation({ name: 'S1' }, clock);
    gate.add(tier);
    for (let i = 0; i < 20; i += 1) await gate.admit(ctx('POST /devices/query', 'http'));
    // The next one waits for its token (600 ms at 20/min would exceed the 1 s queue only after a few).
    let refusal: unknown;
    for (let i = 0; i < 5 && refusal === undefined; i += 1) await gate.admit(ctx('POST /devices/query', 'http')).catch((error: unknown) => (refusal = error));
    expect(refusal).toMatchObject({ code: 'ThrottlingException', httpStatus: 429, errorCode: 429001 });
    const wire = toHttpError(refusal, clock.now());
    expect(wire.headers['retry-after']).toMatch(/^[1-9]\d*$/);
    expect(wire.headers['iothub-errorcode']).toBe('ThrottlingException');
    await gate.admit(ctx('POST /devices/query', 'studio'));
    const query = tier.usage().families.find((row) => row.family === 'query');
    expect(query).toMatchObject({ limit: 20, windowSeconds: 60, throttled: 1 });
    expect(toAmqpError(throttled('twinUpdate', 1)).condition).toBe('com.microsoft:device-container-throttled');
  });

  it('meters D2C in 4 KB chunks and refuses metered requests with 403002 once the day is used up', async () => {
    const clock = new ManualClock('2026-01-01T00:00:00Z');
    const gate = new RequestGate();
    const tier = new TierEmulation({ name: 'S1', quotaWindowScale: 1e-4 }, clock);
    gate.add(tier);
    await gate.admit(ctx('telemetry.send'), { bytes: 6 * 1024 }); // 2 messages
    expect(tier.usage().dailyQuota.used).toBe(2);
    for (let i = 0; i < 38; i += 1) {
      clock.advance(20);
      await gate.admit(ctx('telemetry.send'), { bytes: 10 });
    }
    expect(tier.usage().dailyQuota).toMatchObject({ used: 40, limit: 40, refused: 0 });
    await expect(gate.admit(ctx('twin.patchReported'), { bytes: 10 })).rejects.toMatchObject({ code: 'IotHubQuotaExceeded', httpStatus: 403, errorCode: 403002 });
    // Identity registry operations are free.
    await gate.admit(ctx('GET /devices/{deviceId}', 'http'));
    expect(tier.usage().dailyQuota.refused).toBe(1);
    clock.advance(8640);
    await gate.admit(ctx('telemetry.send'), { bytes: 10 });
    expect(tier.usage().dailyQuota.used).toBe(1);
  });
});
