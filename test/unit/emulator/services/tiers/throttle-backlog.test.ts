import { afterEach, describe, expect, it, vi } from 'vitest';

import { endsDeviceConnection, throttled } from '../../../../../emulator/errors/catalogue.js';
import { toAmqpError } from '../../../../../emulator/errors/to-amqp.js';
import { toHttpError } from '../../../../../emulator/errors/to-http.js';
import type { RequestContext } from '../../../../../emulator/model/request-context.js';
import { RequestGate } from '../../../../../emulator/services/request-gate.js';
import { MAX_QUEUED_PER_DEVICE, TierEmulation } from '../../../../../emulator/services/tiers/tier-emulation.js';
import { ManualClock } from '../../../../../emulator/util/clock.js';

afterEach(() => {
  vi.useRealTimers();
});

const device = (deviceId: string, operation = 'twin.patchReported', moduleId?: string): RequestContext => ({
  time: '2026-01-01T00:00:00.000Z',
  correlationId: 'c',
  principal: moduleId === undefined ? { kind: 'device', deviceId } : { kind: 'device', deviceId, moduleId },
  operation,
  protocol: 'mqtt',
});

describe('the throttling backlog of one device (429002)', () => {
  it('refuses a device past its bound of queued requests, counts per device, and lets it queue again once they ran', async () => {
    vi.useFakeTimers();
    const clock = new ManualClock('2026-01-01T00:00:00Z');
    const gate = new RequestGate();
    // S1 twin updates at 0.1 × 50/s = 5/s: five pass at once, then each waits 200 ms more (up to the 1 s queue).
    const tier = new TierEmulation({ name: 'S1', rateScale: 0.1, maxQueuedPerDevice: 2 }, clock);
    gate.add(tier);
    for (let i = 0; i < 5; i += 1) await gate.admit(device('d1'));
    const waiting = [gate.admit(device('d1')), gate.admit(device('d1'))];
    const refusal = await gate.admit(device('d1')).catch((error: unknown) => error);
    expect(refusal).toMatchObject({ code: 'ThrottleBacklogLimitExceeded', httpStatus: 429, errorCode: 429002 });
    expect(endsDeviceConnection(refusal)).toBe(true);
    expect(endsDeviceConnection(throttled('twinUpdate', 1))).toBe(false);
    expect(toAmqpError(refusal).condition).toBe('com.microsoft:device-container-throttled');
    expect(toHttpError(refusal, clock.now()).headers['iothub-errorcode']).toBe('ThrottleBacklogLimitExceeded');
    // A module of the device and another device have backlogs of their own.
    const other = gate.admit(device('d2'));
    const module = gate.admit(device('d1', 'twin.patchReported', 'm1'));
    // D2C is another family with its own bucket, but the same device backlog.
    await expect(gate.admit(device('d1', 'telemetry.send'))).rejects.toMatchObject({ errorCode: 429002 });
    expect(tier.backlogRefused).toBe(2);
    // A 429002 counts as throttled in its family's usage (the CLI's status and the studio's meter show it).
    expect(tier.usage().families.find((row) => row.family === 'twinUpdate')?.throttled).toBe(1);
    expect(tier.usage().families.find((row) => row.family === 'deviceToCloud')?.throttled).toBe(1);
    await vi.advanceTimersByTimeAsync(1000);
    await Promise.all([...waiting, other, module]);
    // The queue ran (the bucket's clock did not move, so the next request waits again): d1 may queue again.
    const again = gate.admit(device('d1'));
    await vi.advanceTimersByTimeAsync(1000);
    await again;
    expect(tier.backlogRefused).toBe(2);
  });

  it('has a documented default bound above one second of an S1 unit’s twin updates', () => {
    expect(MAX_QUEUED_PER_DEVICE).toBeGreaterThan(50);
    expect(() => new TierEmulation({ name: 'S1', maxQueuedPerDevice: 0 }, new ManualClock())).toThrow(/maxQueuedPerDevice/);
  });
});
