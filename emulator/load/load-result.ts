import { cpus, totalmem } from 'node:os';

import type { LoadMetrics, OperationResult } from './load-metrics.js';
import type { LoadOptions } from './load-options.js';

/** Everything a load run measured (also the JSON written to disk). */
export interface LoadResult {
  readonly tool: 'twin-studio-load';
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly machine: { readonly cpus: number; readonly cpuModel: string; readonly totalMemoryMB: number; readonly node: string; readonly platform: string };
  readonly options: LoadOptions;
  readonly target: string;
  readonly phasesMs: { readonly hubStart: number; readonly register: number; readonly connect: number; readonly run: number; readonly drain: number };
  readonly devices: {
    readonly requested: number;
    readonly registered: number;
    readonly connected: number;
    readonly connectPerSecond: number;
    /** Connect attempts that failed and were retried (final failures are `operations.connect.errors`). */
    readonly connectRetries: number;
  };
  /** Rates asked for (mix × connected devices, fan-out), to compare with what was achieved. */
  readonly targetPerSecond: { readonly reported: number; readonly get: number; readonly telemetry: number; readonly desired: number };
  /** Event-loop delay of this process during the run: high values mean this process was the bottleneck. */
  readonly eventLoopDelayMs: { readonly p50: number; readonly p99: number; readonly max: number };
  readonly operations: Readonly<Record<'connect' | 'reported' | 'get' | 'telemetry' | 'desired' | 'desiredDelivery', OperationResult>>;
  readonly totals: { readonly ok: number; readonly errors: number; readonly perSecond: number };
  readonly errors: readonly { readonly operation: string; readonly message: string; readonly count: number }[];
  readonly memory: { readonly rssBeforeConnectMB: number; readonly rssAfterConnectMB: number; readonly perDeviceKB: number; readonly peakRssMB: number; readonly peakHeapUsedMB: number };
}

/** What {@link buildLoadResult} needs besides the metrics. */
export interface LoadMeasurements {
  readonly startedAt: string;
  readonly target: string;
  readonly phasesMs: LoadResult['phasesMs'];
  readonly devices: { readonly requested: number; readonly registered: number; readonly connected: number };
  readonly memory: { readonly rssBefore: number; readonly rssAfter: number; readonly peakRss: number; readonly peakHeapUsed: number };
  readonly eventLoopDelayMs: LoadResult['eventLoopDelayMs'];
}

const MB = 1024 * 1024;
const KINDS = ['reported', 'get', 'telemetry', 'desired', 'desiredDelivery'] as const;

/** Turns the metrics and measurements of a run into its result (rates over the run phase, connects over connect). */
export function buildLoadResult(options: LoadOptions, metrics: LoadMetrics, measured: LoadMeasurements): LoadResult {
  const { phasesMs, devices, memory } = measured;
  const seconds = phasesMs.run / 1000;
  const operations = {
    connect: metrics.result('connect', phasesMs.connect / 1000),
    ...Object.fromEntries(KINDS.map((kind) => [kind, metrics.result(kind, seconds)])),
  } as LoadResult['operations'];
  const counted = KINDS.filter((kind) => kind !== 'desiredDelivery').map((kind) => operations[kind]);
  const ok = counted.reduce((sum, result) => sum + result.ok, 0);
  const errors = counted.reduce((sum, result) => sum + result.errors, 0) + operations.desiredDelivery.errors;
  return {
    tool: 'twin-studio-load',
    startedAt: measured.startedAt,
    finishedAt: new Date().toISOString(),
    machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', totalMemoryMB: Math.round(totalmem() / MB), node: process.version, platform: `${process.platform} ${process.arch}` },
    options,
    target: measured.target,
    phasesMs,
    devices: { ...devices, connectPerSecond: round1(devices.connected / (phasesMs.connect / 1000)), connectRetries: metrics.errorCount('connectRetry') },
    targetPerSecond: {
      reported: round1(options.mix.reported * devices.connected),
      get: round1(options.mix.get * devices.connected),
      telemetry: round1(options.mix.telemetry * devices.connected),
      desired: options.desiredFanout,
    },
    eventLoopDelayMs: measured.eventLoopDelayMs,
    operations,
    totals: { ok, errors, perSecond: round1(ok / seconds) },
    errors: metrics.topErrors(),
    memory: {
      rssBeforeConnectMB: round1(memory.rssBefore / MB),
      rssAfterConnectMB: round1(memory.rssAfter / MB),
      perDeviceKB: devices.connected > 0 ? round1((memory.rssAfter - memory.rssBefore) / 1024 / devices.connected) : 0,
      peakRssMB: round1(Math.max(memory.peakRss, memory.rssAfter) / MB),
      peakHeapUsedMB: round1(memory.peakHeapUsed / MB),
    },
  };
}

function round1(value: number): number {
  return Number.isFinite(value) ? Math.round(value * 10) / 10 : 0;
}
