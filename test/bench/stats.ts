/** Latency figures of one measured series, in milliseconds. */
export interface LatencySummary {
  readonly count: number;
  readonly p50: number;
  readonly p99: number;
  readonly mean: number;
  readonly max: number;
}

/** The value below which `p` (0..1) of the sorted samples fall (nearest rank). */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1));
  return sorted[rank] ?? Number.NaN;
}

/** p50/p99/mean/max of latency samples (ms), rounded to microseconds. */
export function summarise(samples: readonly number[]): LatencySummary {
  const sorted = Float64Array.from(samples).sort();
  const list = Array.from(sorted);
  const sum = list.reduce((total, value) => total + value, 0);
  return {
    count: list.length,
    p50: round3(percentile(list, 0.5)),
    p99: round3(percentile(list, 0.99)),
    mean: round3(list.length === 0 ? Number.NaN : sum / list.length),
    max: round3(list.at(-1) ?? Number.NaN),
  };
}

/** The median of a few repeated measurements. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

/** `value / baseline`, two decimals; NaN when the baseline is 0 or missing. */
export function ratio(value: number, baseline: number): number {
  return baseline > 0 ? Math.round((value / baseline) * 100) / 100 : Number.NaN;
}

export function round3(value: number): number {
  return Math.round(value * 1000) / 1000;
}

export function round1(value: number): number {
  return Math.round(value * 10) / 10;
}
