// Benchmark 3 (issue 7): the query engine over 10k and 100k twins (test/bench/query.bench.ts, with its own
// hand-written-loop baseline), and the hub's start time over 100k persisted twins against JSON.parse of the file.
import { execFile } from 'node:child_process';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import { createEmulator } from '../../emulator/index.js';
import type { BenchContext } from './bench-context.js';
import { averageRecordBytes, populateTwins } from './populate.js';
import { runQueryBench, type QueryBenchResult } from './query.bench.js';
import type { BenchRow } from './report.js';
import { median, ratio, round1 } from './stats.js';

const PROBE = fileURLToPath(new URL('./server/start-probe.ts', import.meta.url));
const RUNS = 3;

interface Probe {
  readonly ms: number;
  readonly rss: number;
  readonly devices: number;
}

async function probe(mode: 'hub' | 'parse', dataDir: string): Promise<Probe> {
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', PROBE, mode, dataDir], { maxBuffer: 1 << 20, timeout: 300_000 });
  return JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as Probe;
}

async function startTime(context: BenchContext, twins: number): Promise<{ rows: BenchRow[]; data: object }> {
  const dataDir = await context.dataDir('start');
  const seed = createEmulator({ dataDir, fsync: false, bindAddress: '127.0.0.1', ports: { mqtts: 0, https: null, amqps: null } });
  await seed.start();
  const t0 = performance.now();
  await populateTwins(seed, twins);
  const populateMs = performance.now() - t0;
  const size = averageRecordBytes(seed);
  await seed.stop();
  const fileBytes = (await stat(join(dataDir, 'hub.json'))).size;
  const hub: Probe[] = [];
  const parse: Probe[] = [];
  // Alternate so machine noise hits both alike; each run is a fresh process.
  for (let i = 0; i < RUNS; i++) {
    parse.push(await probe('parse', dataDir));
    hub.push(await probe('hub', dataDir));
  }
  if ([...hub, ...parse].some((run) => run.devices !== twins)) throw new Error(`a probe did not see all ${twins} persisted devices`);
  const hubMs = median(hub.map((run) => run.ms));
  const parseMs = median(parse.map((run) => run.ms));
  const label = `${twins} twins, ${Math.round(fileBytes / 1e6)} MB file`;
  return {
    rows: [
      { bench: '3 start time', case: label, metric: 'start() to listening', value: round1(hubMs), unit: 'ms', baselineName: 'readFile + JSON.parse', baseline: round1(parseMs), ratio: ratio(hubMs, parseMs) },
      { bench: '3 start time', case: label, metric: 'RSS after start', value: Math.round(median(hub.map((run) => run.rss)) / 2 ** 20), unit: 'MiB', baselineName: 'readFile + JSON.parse', baseline: Math.round(median(parse.map((run) => run.rss)) / 2 ** 20), ratio: ratio(median(hub.map((run) => run.rss)), median(parse.map((run) => run.rss))) },
    ],
    data: { twins, fileBytes, recordBytes: size.record, twinBytes: size.twin, populateMs: Math.round(populateMs), hub, parse },
  };
}

/** Query at each size (the query benchmark's own table goes to bench-results/query.json), then start time. */
export async function benchStartupAndQuery(context: BenchContext, queryTwins: readonly number[], startTwins: number): Promise<{ rows: BenchRow[]; data: object }> {
  const rows: BenchRow[] = [];
  const queries: object[] = [];
  for (const twins of queryTwins) {
    const report = (await runQueryBench({ twins })) as { results: QueryBenchResult[]; pass: boolean };
    queries.push(report);
    for (const result of report.results) {
      rows.push({
        bench: '3 query', case: `${twins} twins, ${result.name}`, metric: 'all pages', value: result.engineMs, unit: 'ms',
        baselineName: 'hand-written loop', baseline: result.handWrittenMs, ratio: result.ratio, goal: '≤ 3× loop, < 100 ms', met: result.ratio <= 3 && result.engineMs < 100,
      });
    }
  }
  const start = await startTime(context, startTwins);
  rows.push(...start.rows);
  return { rows, data: { queries, start: start.data } };
}
