import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';

import type { OperationResult } from './load-metrics.js';
import type { LoadResult } from './load-result.js';

/** A human-readable summary of a load run. */
export function formatLoadResult(result: LoadResult): string {
  const { options, devices, phasesMs, operations, totals, memory } = result;
  const mix = `reported=${options.mix.reported},get=${options.mix.get},telemetry=${options.mix.telemetry} per device per second`;
  const row = (name: string, op: OperationResult, target?: number) => [
    name,
    String(op.ok),
    String(op.errors),
    target === undefined ? '' : target.toFixed(1),
    op.perSecond.toFixed(1),
    op.latencyMs.p50.toFixed(1),
    op.latencyMs.p95.toFixed(1),
    op.latencyMs.p99.toFixed(1),
    op.latencyMs.max.toFixed(1),
  ];
  const table = [
    ['OPERATION', 'OK', 'ERRORS', 'TARGET/S', 'PER SEC', 'P50 MS', 'P95 MS', 'P99 MS', 'MAX MS'],
    row('connect', operations.connect),
    row('reported patch', operations.reported, result.targetPerSecond.reported),
    row('twin GET', operations.get, result.targetPerSecond.get),
    row('telemetry', operations.telemetry, result.targetPerSecond.telemetry),
    row('desired (service)', operations.desired, result.targetPerSecond.desired),
    row('desired → device', operations.desiredDelivery),
  ];
  const widths = table[0]?.map((_, i) => Math.max(...table.map((cells) => cells[i]?.length ?? 0))) ?? [];
  const lines = [
    `Load: ${devices.connected}/${devices.requested} devices, ${options.durationSeconds} s, ${mix}, desired fan-out ${options.desiredFanout}/s`,
    `Target: ${result.target}`,
    `Machine: ${result.machine.cpus} × ${result.machine.cpuModel}, ${result.machine.totalMemoryMB} MB, node ${result.machine.node}`,
    `Phases: hub ${fmtS(phasesMs.hubStart)}, register ${fmtS(phasesMs.register)}, connect ${fmtS(phasesMs.connect)} (${devices.connectPerSecond}/s, ${devices.connectRetries} retried), run ${fmtS(phasesMs.run)}, drain ${fmtS(phasesMs.drain)}`,
    '',
    ...table.map((cells) => cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join('  ')),
    '',
    `Total: ${totals.ok} operations, ${totals.perSecond}/s, ${totals.errors} errors; event-loop delay of this process p50 ${result.eventLoopDelayMs.p50} ms, p99 ${result.eventLoopDelayMs.p99} ms`,
    `Memory: RSS ${memory.rssBeforeConnectMB} MB before connect, ${memory.rssAfterConnectMB} MB after (${memory.perDeviceKB} KB per device${options.target.kind === 'in-process' ? ', hub side included' : ''}), peak ${memory.peakRssMB} MB, peak heap ${memory.peakHeapUsedMB} MB`,
    ...(result.errors.length > 0 ? ['', 'Errors:', ...result.errors.map((error) => `  ${error.count} × ${error.operation}: ${error.message}`)] : []),
  ];
  return `${lines.join('\n')}\n`;
}

/** Writes the result JSON (creating the folder); returns the absolute path. */
export async function writeLoadResult(result: LoadResult, outPath: string | undefined, cwd = process.cwd()): Promise<string> {
  const stamp = result.startedAt.replace(/[:.]/g, '-');
  const path = resolve(cwd, outPath ?? join('bench-results', `load-${result.devices.requested}-${stamp}.json`));
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, `${JSON.stringify(result, null, 2)}\n`);
  return path;
}

function fmtS(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}
