// Benchmark 5 of the core issue: the hub's start time and RSS over 100k stored twins against a fresh process's
// readFile + JSON.parse of the same snapshot, and RSS across repeated query/write rounds (no growth).
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import type { BenchContext } from './bench-context.js';
import type { BenchRow } from './report.js';
import type { ChurnRound } from './server/server-protocol.js';
import { median, ratio, round1 } from './stats.js';

const PROBE = fileURLToPath(new URL('./server/start-probe.ts', import.meta.url));
const RUNS = 3;
const START_GOAL = 1.3;
const RSS_GOAL = 1.5;
/** Allowed RSS drift between the first and the last churn round (allocator noise, not growth). */
const GROWTH_GOAL = 1.05;
/** Twins the churn writes: few enough that their bounded change log (32 entries) is full after the first round. */
const CHURN_TWINS = 64;
const MiB = 2 ** 20;

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
  const dataDir = await context.seededDataDir(twins);
  const fileBytes = await context.snapshotBytes(twins);
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
  const hubRss = median(hub.map((run) => run.rss));
  const parseRss = median(parse.map((run) => run.rss));
  const label = `${twins} twins, ${Math.round(fileBytes / 1e6)} MB snapshot`;
  const baselineName = 'fresh readFile + JSON.parse';
  const startRatio = ratio(hubMs, parseMs);
  const rssRatio = ratio(hubRss, parseRss);
  return {
    rows: [
      { bench: '6 start', case: label, metric: 'start() to listening', value: round1(hubMs), unit: 'ms', baselineName, baseline: round1(parseMs), ratio: startRatio, goal: `≤ ${START_GOAL}×`, met: startRatio <= START_GOAL },
      { bench: '6 start', case: label, metric: 'RSS after start', value: Math.round(hubRss / MiB), unit: 'MiB', baselineName, baseline: Math.round(parseRss / MiB), ratio: rssRatio, goal: `≤ ${RSS_GOAL}×`, met: rssRatio <= RSS_GOAL },
    ],
    data: { twins, fileBytes, hub, parse },
  };
}

/** Rounds of queries (every page of three) and writes in a hub started from the seed; RSS after GC per round. */
async function churn(context: BenchContext, twins: number, rounds: number, writes: number): Promise<{ rows: BenchRow[]; data: object }> {
  return context.withServer({ kind: 'hub', fsync: true, devices: 0, storedTwins: twins }, async (_target, server) => {
    const measured = await server.request<ChurnRound[]>({ cmd: 'churn', rounds, writes, twins: CHURN_TWINS, prefix: 'dev-' }, 1_200_000);
    const first = measured[0];
    const last = measured.at(-1);
    if (!first || !last) throw new Error('churn returned no rounds');
    const growth = ratio(last.rss, first.rss);
    const label = `${twins} twins, ${rounds} rounds of 3 queries (all pages) + ${writes} writes`;
    return {
      rows: [
        {
          bench: '6 start', case: label, metric: 'RSS after last round', value: Math.round(last.rss / MiB), unit: 'MiB', baselineName: 'RSS after round 1',
          baseline: Math.round(first.rss / MiB), ratio: growth, goal: `≤ ${GROWTH_GOAL}× (no growth)`, met: growth <= GROWTH_GOAL,
        },
        {
          bench: '6 start', case: label, metric: 'heap after last round', value: Math.round(last.heapUsed / MiB), unit: 'MiB', baselineName: 'heap after round 1',
          baseline: Math.round(first.heapUsed / MiB), ratio: ratio(last.heapUsed, first.heapUsed),
        },
      ],
      data: { twins, writes, churnTwins: CHURN_TWINS, rounds: measured },
    };
  });
}

/** Start time and RSS at `twins`, then the churn rounds. */
export async function benchStartup(context: BenchContext, twins: number, rounds: number, writes: number): Promise<{ rows: BenchRow[]; data: object }> {
  const start = await startTime(context, twins);
  const rss = await churn(context, twins, rounds, writes);
  return { rows: [...start.rows, ...rss.rows], data: { start: start.data, churn: rss.data } };
}

