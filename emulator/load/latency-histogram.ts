/** Percentiles of a latency distribution, in milliseconds. */
export interface LatencySummary {
  readonly count: number;
  readonly mean: number;
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly max: number;
}

const MIN_MS = 0.01;
const GROWTH = 1.02;
const LOG_GROWTH = Math.log(GROWTH);
/** Up to 10^4 s; anything slower lands in the last bucket (and in `max`). */
const BUCKETS = Math.ceil(Math.log(1e7 / MIN_MS) / LOG_GROWTH) + 1;

/**
 * A log-bucketed latency histogram: constant memory (about 1,000 counters) however many samples a 10,000-device run
 * records, with percentiles accurate to 2% (each bucket is 2% wider than the one before, HdrHistogram-style).
 */
export class LatencyHistogram {
  private readonly counts = new Float64Array(BUCKETS);
  private total = 0;
  private sum = 0;
  private largest = 0;

  record(ms: number): void {
    const value = Math.max(ms, 0);
    const index = value <= MIN_MS ? 0 : Math.min(BUCKETS - 1, Math.ceil(Math.log(value / MIN_MS) / LOG_GROWTH));
    this.counts[index] = (this.counts[index] ?? 0) + 1;
    this.total++;
    this.sum += value;
    if (value > this.largest) this.largest = value;
  }

  get count(): number {
    return this.total;
  }

  /** The value below which `fraction` (0..1) of the samples fall: the upper bound of that bucket, capped at max. */
  percentile(fraction: number): number {
    if (this.total === 0) return 0;
    const rank = Math.max(1, Math.ceil(fraction * this.total));
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.counts[i] ?? 0;
      if (seen >= rank) return Math.min(MIN_MS * GROWTH ** i, this.largest);
    }
    return this.largest;
  }

  summary(): LatencySummary {
    const round = (value: number) => Math.round(value * 100) / 100;
    return {
      count: this.total,
      mean: round(this.total === 0 ? 0 : this.sum / this.total),
      p50: round(this.percentile(0.5)),
      p95: round(this.percentile(0.95)),
      p99: round(this.percentile(0.99)),
      max: round(this.largest),
    };
  }
}
