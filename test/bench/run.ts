// `npm run bench`: the core issue's benchmarks on the user's path, at 1k/10k/100k stored twins, each figure next to a
// baseline measured in the same run.
// Not part of the test command. See docs/benchmarks.md for what each number means.
import { loadavg } from 'node:os';

import { BENCH_USAGE, parseBenchArgs } from './bench-args.js';
import { createBenchContext } from './bench-context.js';
import { printTable, writeResult, type BenchRow } from './report.js';
import { benchBulkCreate } from './bulk-create.bench.js';
import { benchConnections } from './connections.bench.js';
import { benchDesiredNotify } from './desired-notify.bench.js';
import { benchQuery } from './query-both.js';
import { benchReportedRoundTrip } from './reported-round-trip.bench.js';
import { benchStartup } from './startup.bench.js';
import { benchStoreWrites } from './store-writes.bench.js';
import { benchTransports } from './transports.bench.js';
import { benchEventIngest } from './event-ingest.bench.js';

async function main(): Promise<void> {
  let options: ReturnType<typeof parseBenchArgs>;
  try {
    options = parseBenchArgs(process.argv.slice(2));
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${BENCH_USAGE}`);
    process.exit(2);
  }
  if (options.help) {
    console.log(BENCH_USAGE);
    return;
  }
  const started = Date.now();
  const loadAtStart = loadavg();
  const [load1] = loadAtStart;
  if ((load1 ?? 0) > 0.5) console.error(`[bench] load average ${load1?.toFixed(2)}: other work shares the CPU, figures will be noisy`);
  const context = await createBenchContext(options);
  const rows: BenchRow[] = [];
  const step = async (n: number, name: string, run: () => Promise<{ rows: BenchRow[]; data: object }>) => {
    if (!options.only.has(n)) return;
    const t0 = Date.now();
    console.error(`[bench] ${n} ${name}…`);
    const result = await run();
    const path = writeResult(name, { options: { ...options, only: [...options.only] }, rows: result.rows, ...result.data });
    rows.push(...result.rows);
    console.error(`[bench] ${n} ${name} done in ${Math.round((Date.now() - t0) / 1000)} s → ${path}`);
  };
  try {
    await step(1, 'reported-round-trip', () => benchReportedRoundTrip(context, options.twins));
    await step(2, 'desired-notify', () => benchDesiredNotify(context, options.twins, options.desiredDevices, options.desiredPatches));
    await step(3, 'query', () => benchQuery(context, options.twins, options.queryRuns, options.engineTwins));
    await step(4, 'bulk-create', () => benchBulkCreate(context, options.bulkDevices));
    await step(5, 'startup', () => benchStartup(context, options.startTwins, options.churnRounds, options.churnWrites));
    await step(6, 'connections', () => benchConnections(context, options.connectionTwins, options.connections));
    await step(7, 'store-writes', () => benchStoreWrites(context, options.storeTwins));
    await step(8, 'transports', () => benchTransports(context, options.transportTwins));
    await step(9, 'event-ingest', () => benchEventIngest(context, options.transportTwins, options.ingestRates));
  } finally {
    await context.dispose();
  }
  const seeds = Object.fromEntries(context.seedSeconds);
  writeResult('summary', { seconds: Math.round((Date.now() - started) / 1000), loadAverageAtStart: loadAtStart, seedSeconds: seeds, rows });
  console.log('');
  printTable(rows);
  const missed = rows.filter((row) => row.goal !== undefined && !row.met);
  console.log(`\n${rows.length} figures in ${Math.round((Date.now() - started) / 1000)} s; ${missed.length} goal(s) missed. JSON in bench-results/.`);
}

await main();
