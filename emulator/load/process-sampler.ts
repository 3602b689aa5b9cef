import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';

const RESOLUTION_MS = 10;

/**
 * Watches the load process while it runs: peak RSS and heap (the in-process hub included), and event-loop delay.
 * A delayed loop means the process itself is saturated, so latencies measure queueing in this process as much as
 * the hub: the report shows it next to the latencies.
 */
export class ProcessSampler {
  peakRss = 0;
  peakHeapUsed = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly loop: IntervalHistogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS });

  start(): void {
    this.sample();
    this.loop.enable();
    this.timer = setInterval(() => this.sample(), 1000);
  }

  stop(): void {
    clearInterval(this.timer);
    this.loop.disable();
    this.sample();
  }

  /** Event-loop delay percentiles in ms (beyond the sampling interval, which the histogram includes). */
  loopDelayMs(): { readonly p50: number; readonly p99: number; readonly max: number } {
    const ms = (ns: number) => Math.max(0, Math.round(ns / 1e4 - RESOLUTION_MS * 100) / 100);
    return { p50: ms(this.loop.percentile(50)), p99: ms(this.loop.percentile(99)), max: ms(this.loop.max) };
  }

  private sample(): void {
    const usage = process.memoryUsage();
    this.peakRss = Math.max(this.peakRss, usage.rss);
    this.peakHeapUsed = Math.max(this.peakHeapUsed, usage.heapUsed);
  }
}
