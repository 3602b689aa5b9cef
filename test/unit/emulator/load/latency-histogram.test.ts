import { describe, expect, it } from 'vitest';

import { LatencyHistogram } from '../../../../emulator/load/latency-histogram.js';
import { LoadMetrics } from '../../../../emulator/load/load-metrics.js';

describe('the latency histogram', () => {
  it('reports percentiles within 2% of the exact ones', () => {
    const histogram = new LatencyHistogram();
    for (let ms = 1; ms <= 1000; ms++) histogram.record(ms);
    const summary = histogram.summary();
    expect(summary.count).toBe(1000);
    expect(summary.mean).toBe(500.5);
    expect(summary.max).toBe(1000);
    for (const [value, exact] of [
      [summary.p50, 500],
      [summary.p95, 950],
      [summary.p99, 990],
    ] as const) {
      expect(value).toBeGreaterThanOrEqual(exact);
      expect(value).toBeLessThanOrEqual(exact * 1.02);
    }
  });

  it('is all zeros when empty and never reports more than the maximum', () => {
    expect(new LatencyHistogram().summary()).toEqual({ count: 0, mean: 0, p50: 0, p95: 0, p99: 0, max: 0 });
    const one = new LatencyHistogram();
    one.record(3.3);
    expect(one.summary()).toMatchObject({ p50: 3.3, p99: 3.3, max: 3.3 });
    one.record(0);
    one.record(-1);
    expect(one.percentile(0.01)).toBe(0.01);
  });
});

describe('load metrics', () => {
  it('computes rates over the window and groups errors by message without ids and numbers', () => {
    const metrics = new LoadMetrics();
    for (let i = 0; i < 10; i++) metrics.succeeded('reported', i);
    metrics.failed('reported', new Error('no answer to twin request 0b3c2a4e-1d2f-4a5b-8c7d-112233445566 within 30000 ms'));
    metrics.failed('reported', new Error('no answer to twin request 9b3c2a4e-1d2f-4a5b-8c7d-112233445566 within 30000 ms'));
    metrics.failed('telemetry', 'not connected');
    expect(metrics.result('reported', 5)).toMatchObject({ ok: 10, errors: 2, perSecond: 2 });
    expect(metrics.topErrors()).toEqual([
      { operation: 'reported', message: 'no answer to twin request <rid> within N ms', count: 2 },
      { operation: 'telemetry', message: 'not connected', count: 1 },
    ]);
  });
});
