import { describe, expect, it } from 'vitest';

import { DailyQuota, DAY_MS } from '../../../../../emulator/services/tiers/daily-quota.js';
import { TokenBucket } from '../../../../../emulator/services/tiers/token-bucket.js';

describe('TokenBucket', () => {
  it('admits a window of requests at once, shapes the next window, refuses beyond the queue', () => {
    const bucket = new TokenBucket(50, 1000, 1000, 0);
    for (let i = 0; i < 50; i += 1) expect(bucket.take(1, 0)).toEqual({ kind: 'now' });
    const first = bucket.take(1, 0);
    expect(first.kind).toBe('wait');
    expect(first.kind === 'wait' && first.waitMs).toBeCloseTo(20, 5);
    for (let i = 1; i < 50; i += 1) expect(bucket.take(1, 0).kind).toBe('wait');
    const refused = bucket.take(1, 0);
    expect(refused.kind).toBe('refused');
    // 100 tokens are owed: a fresh request could go at once after 1020 ms of refill.
    expect(refused.kind === 'refused' && refused.retryAfterMs).toBeCloseTo(1020, 5);
    expect(bucket.used(0)).toBe(100);
    expect({ admitted: bucket.admitted, delayed: bucket.delayed, refused: bucket.refused }).toEqual({ admitted: 50, delayed: 50, refused: 1 });
  });

  it('refills at capacity per window and never holds more than one window', () => {
    const bucket = new TokenBucket(100, 60_000, 1000, 0);
    for (let i = 0; i < 100; i += 1) bucket.take(1, 0);
    expect(bucket.take(1, 0)).toEqual({ kind: 'wait', waitMs: 600 }); // one token per 600 ms at 100/min
    expect(bucket.take(1, 0).kind).toBe('refused'); // a second would wait 1200 ms, past the queue
    expect(bucket.take(1, 1200).kind).toBe('now');
    expect(bucket.used(10 * 60_000)).toBe(0);
    for (let i = 0; i < 100; i += 1) expect(bucket.take(1, 10 * 60_000).kind).toBe('now');
    expect(bucket.take(1, 10 * 60_000).kind).not.toBe('now');
  });

  it('charges a request its cost, capped at one window', () => {
    const bucket = new TokenBucket(40, 1000, 1000, 0);
    expect(bucket.take(30, 0).kind).toBe('now');
    expect(bucket.take(30, 0).kind).toBe('wait');
    const big = new TokenBucket(40, 1000, 1000, 0);
    expect(big.take(1000, 0).kind).toBe('now');
  });
});

describe('DailyQuota', () => {
  it('counts messages per UTC day and refuses once used up, until the window turns', () => {
    const quota = new DailyQuota(3);
    const day = Date.UTC(2026, 0, 2);
    expect(quota.charge(2, day + 1000)).toBe(true);
    expect(quota.charge(2, day + 2000)).toBe(true); // the last message may go over
    expect(quota.used(day + 2000)).toBe(4);
    expect(quota.charge(1, day + 3000)).toBe(false);
    expect(quota.refused).toBe(1);
    expect(new Date(quota.resetsAt(day)).toISOString()).toBe('2026-01-03T00:00:00.000Z');
    expect(quota.charge(1, day + DAY_MS)).toBe(true);
    expect(quota.used(day + DAY_MS)).toBe(1);
  });

  it('scales the window and the quota together', () => {
    const quota = new DailyQuota(400_000, 1e-4);
    expect(quota.limit).toBe(40);
    expect(quota.windowMs).toBeCloseTo(8640, 5);
    expect(() => new DailyQuota(10, 0)).toThrow(/scale/);
    expect(() => new DailyQuota(10, 2)).toThrow(/scale/);
  });
});
