import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** One line of the summary table: a figure next to its same-run baseline. */
export interface BenchRow {
  readonly bench: string;
  readonly case: string;
  readonly metric: string;
  readonly value: number;
  readonly unit: string;
  readonly baselineName: string;
  readonly baseline: number;
  /** value / baseline. */
  readonly ratio: number;
  /** e.g. "≥ 0.5× raw"; absent when the issue sets no goal for this figure. */
  readonly goal?: string;
  readonly met?: boolean;
}

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** `bench-results/` at the repository root (gitignored). */
export const RESULTS_DIR = resolve(ROOT, 'bench-results');

/**
 * The machine the numbers were measured on, recorded in every result file. The load averages say whether other
 * work shared the cores during the run (on 2 cores anything above ~0.5 skews the figures).
 */
export function machine(): object {
  const cpu = cpus();
  return {
    node: process.version, platform: `${process.platform} ${process.arch}`, cpu: cpu[0]?.model ?? 'unknown', cores: cpu.length,
    memoryGiB: Math.round(totalmem() / 2 ** 30), loadAverage1m5m15m: loadavg().map((value) => Math.round(value * 100) / 100),
  };
}

/** Writes `bench-results/<name>.json` and returns its path. */
export function writeResult(name: string, data: object): string {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const path = resolve(RESULTS_DIR, `${name}.json`);
  writeFileSync(path, `${JSON.stringify({ benchmark: name, at: new Date().toISOString(), machine: machine(), ...data }, null, 2)}\n`);
  return path;
}

function cell(value: number): string {
  if (!Number.isFinite(value)) return '-';
  if (Math.abs(value) >= 1000) return Math.round(value).toLocaleString('en-US');
  return String(Math.round(value * 100) / 100);
}

/** Prints rows as an aligned table on stdout. */
export function printTable(rows: readonly BenchRow[]): void {
  const header = ['bench', 'case', 'metric', 'value', 'baseline', 'base value', 'ratio', 'goal'];
  const lines = rows.map((row) => [
    row.bench,
    row.case,
    row.metric,
    `${cell(row.value)} ${row.unit}`,
    row.baselineName,
    `${cell(row.baseline)} ${row.unit}`,
    Number.isFinite(row.ratio) ? `${cell(row.ratio)}×` : '-',
    row.goal === undefined ? '' : `${row.goal} ${row.met ? 'met' : 'MISSED'}`,
  ]);
  const widths = header.map((title, column) => Math.max(title.length, ...lines.map((line) => line[column]?.length ?? 0)));
  const format = (line: readonly string[]) => line.map((text, column) => text.padEnd(widths[column] ?? 0)).join('  ').trimEnd();
  console.log(format(header));
  console.log(widths.map((width) => '-'.repeat(width)).join('  '));
  for (const line of lines) console.log(format(line));
}
