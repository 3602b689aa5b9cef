import { LatencyHistogram, type LatencySummary } from './latency-histogram.js';

/** Operation kinds the load generator measures. */
/** `connectRetry` counts failed connect attempts that were retried (the final failure counts under `connect`). */
export type LoadOperation = 'connect' | 'connectRetry' | 'reported' | 'get' | 'telemetry' | 'desired' | 'desiredDelivery';

/** Result of one operation kind. */
export interface OperationResult {
  readonly ok: number;
  readonly errors: number;
  /** Successful operations per second over the measured window. */
  readonly perSecond: number;
  readonly latencyMs: LatencySummary;
}

/** Latencies, counts and distinct error messages per operation. */
export class LoadMetrics {
  private readonly histograms = new Map<LoadOperation, LatencyHistogram>();
  private readonly errorCounts = new Map<LoadOperation, number>();
  private readonly messages = new Map<string, { operation: LoadOperation; message: string; count: number }>();
  /** Operations started but not finished (twin requests in flight, unacknowledged telemetry). */
  inFlight = 0;

  succeeded(operation: LoadOperation, latencyMs: number): void {
    let histogram = this.histograms.get(operation);
    if (!histogram) {
      histogram = new LatencyHistogram();
      this.histograms.set(operation, histogram);
    }
    histogram.record(latencyMs);
  }

  failed(operation: LoadOperation, error: unknown): void {
    this.errorCounts.set(operation, (this.errorCounts.get(operation) ?? 0) + 1);
    // Device ids and $rid values are stripped so one failure mode is counted once, not once per device.
    const message = (error instanceof Error ? error.message : String(error)).replace(/[0-9a-f]{8}-[0-9a-f-]{27}/g, '<rid>').replace(/\b\d+\b/g, 'N');
    const key = `${operation}\n${message}`;
    const entry = this.messages.get(key);
    if (entry) entry.count++;
    else this.messages.set(key, { operation, message, count: 1 });
  }

  result(operation: LoadOperation, windowSeconds: number): OperationResult {
    const histogram = this.histograms.get(operation) ?? new LatencyHistogram();
    return {
      ok: histogram.count,
      errors: this.errorCounts.get(operation) ?? 0,
      perSecond: windowSeconds > 0 ? Math.round((histogram.count / windowSeconds) * 10) / 10 : 0,
      latencyMs: histogram.summary(),
    };
  }

  /** Failures recorded for an operation. */
  errorCount(operation: LoadOperation): number {
    return this.errorCounts.get(operation) ?? 0;
  }

  /** The most frequent error messages. */
  topErrors(limit = 20): { operation: LoadOperation; message: string; count: number }[] {
    return [...this.messages.values()].sort((a, b) => b.count - a.count).slice(0, limit);
  }
}
