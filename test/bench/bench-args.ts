import { parseArgs } from 'node:util';

/** Options of `npm run bench`. */
export interface BenchOptions {
  /** Which benchmarks (1-9) to run. */
  readonly only: ReadonlySet<number>;
  readonly quick: boolean;
  readonly warmupMs: number;
  readonly measureMs: number;
  /** Stored-twin counts of benchmarks 1-3 (the curve). */
  readonly twins: readonly number[];
  /** Benchmark 2: connected devices and desired patches sent. */
  readonly desiredDevices: number;
  readonly desiredPatches: number;
  /** Benchmark 3: REST runs per query (median), and the sizes of the engine-only breakdown. */
  readonly queryRuns: number;
  readonly engineTwins: readonly number[];
  /** Benchmark 4: devices created in bulk calls of 100. */
  readonly bulkDevices: number;
  /** Benchmark 5: stored twins for start time and RSS; query/write rounds and writes per round. */
  readonly startTwins: number;
  readonly churnRounds: number;
  readonly churnWrites: number;
  /** Benchmark 6: stored-twin counts, and the devices to connect at each (at most that many). */
  readonly connectionTwins: readonly number[];
  readonly connections: number;
  /** Benchmark 7: twins in the store. */
  readonly storeTwins: number;
  /** Benchmark 8: stored-twin counts the device transports are compared at. */
  readonly transportTwins: readonly number[];
  /** Benchmark 9: offered telemetry rates (messages/s over 10 devices). */
  readonly ingestRates: readonly number[];
}

/** Usage text of `npm run bench`. */
export const BENCH_USAGE = `Usage: npm run bench -- [options]

  --quick                  ~2-minute run with small sizes (what CI could run)
  --only <list>            benchmarks to run, e.g. --only 1,4; default all:
                             1 reported RTT (1 device, and 64 writers) + bytes written per patch
                             2 desired PATCH → device notification    3 query over REST (+ engine breakdown)
                             4 bulk create over REST                  5 start time, RSS, RSS across rounds
                             6 persistent-session connections         7 store breakdown (in-process writes)
                             8 device transports (Mqtt, MqttWs, Amqp, AmqpWs, Http) vs Mqtt
                             9 telemetry → @azure/event-hubs consumer vs raw Aedes pub/sub
  --twins <list>           stored twins for 1-3 (default 1000,10000,100000; quick 1000,10000)
  --measure-ms <n>         measuring window of each throughput run (default 5000; quick 1000)
  --warmup-ms <n>          warm-up before it (default 1500; quick 300)
  --desired-devices <n>    2: connected devices (default 1000; quick 200)
  --patches <n>            2: desired patches (default 1000; quick 200)
  --query-runs <n>         3: runs per query, median (default 5; quick 2)
  --engine-twins <list>    3: engine-only breakdown sizes (default 10000,100000; quick 10000)
  --bulk-devices <n>       4: devices to create (default 10000; quick 2000)
  --start-twins <n>        5: stored twins (default 100000; quick 10000)
  --churn-rounds <n>       5: query/write rounds (default 6; quick 3), --churn-writes <n> per round (default 2000)
  --connection-twins <l>   6: stored twins (default 1000,10000; quick 1000)
  --connections <n>        6: devices to connect, at most the stored twins (default 10000; quick 500)
  --store-twins <n>        7: twins in the store (default 10000; quick 2000)
  --transport-twins <l>    8, 9: stored twins (default 1000,100000; quick 1000)
  --ingest-rates <list>    9: offered telemetry rates per second (default 500,2000; quick 500)

Writes bench-results/<name>.json and prints a table; see docs/benchmarks.md.`;

function numberList(text: string, option: string): number[] {
  const values = text.split(',').map((part) => Number(part.trim()));
  if (values.some((value) => !Number.isSafeInteger(value) || value < 1)) throw new Error(`${option} needs positive integers, got '${text}'`);
  return values;
}

function positive(text: string | undefined, option: string, fallback: number): number {
  if (text === undefined) return fallback;
  const [value] = numberList(text, option);
  return value ?? fallback;
}

function list(text: string | undefined, option: string, fallback: number[]): number[] {
  return text === undefined ? fallback : numberList(text, option);
}

const STRING_OPTIONS = [
  'only', 'measure-ms', 'warmup-ms', 'twins', 'desired-devices', 'patches', 'query-runs', 'engine-twins', 'bulk-devices',
  'start-twins', 'churn-rounds', 'churn-writes', 'connection-twins', 'connections', 'store-twins', 'transport-twins', 'ingest-rates',
] as const;

/** Parses argv; throws with a message naming the bad option. */
export function parseBenchArgs(argv: readonly string[]): BenchOptions & { help: boolean } {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      quick: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
      ...Object.fromEntries(STRING_OPTIONS.map((name) => [name, { type: 'string' as const }])),
    },
    strict: true,
    allowPositionals: false,
  });
  const text = (name: (typeof STRING_OPTIONS)[number]): string | undefined => {
    const value = (values as Record<string, string | boolean | undefined>)[name];
    return typeof value === 'string' ? value : undefined;
  };
  const quick = values.quick === true;
  const only = list(text('only'), '--only', [1, 2, 3, 4, 5, 6, 7, 8, 9]);
  if (only.some((n) => n > 9)) throw new Error('--only takes benchmark numbers 1-9');
  return {
    help: values.help === true,
    quick,
    only: new Set(only),
    warmupMs: positive(text('warmup-ms'), '--warmup-ms', quick ? 300 : 1500),
    measureMs: positive(text('measure-ms'), '--measure-ms', quick ? 1000 : 5000),
    twins: list(text('twins'), '--twins', quick ? [1000, 10_000] : [1000, 10_000, 100_000]),
    desiredDevices: positive(text('desired-devices'), '--desired-devices', quick ? 200 : 1000),
    desiredPatches: positive(text('patches'), '--patches', quick ? 200 : 1000),
    queryRuns: positive(text('query-runs'), '--query-runs', quick ? 2 : 5),
    engineTwins: list(text('engine-twins'), '--engine-twins', quick ? [10_000] : [10_000, 100_000]),
    bulkDevices: positive(text('bulk-devices'), '--bulk-devices', quick ? 2000 : 10_000),
    startTwins: positive(text('start-twins'), '--start-twins', quick ? 10_000 : 100_000),
    churnRounds: positive(text('churn-rounds'), '--churn-rounds', quick ? 3 : 6),
    churnWrites: positive(text('churn-writes'), '--churn-writes', 2000),
    connectionTwins: list(text('connection-twins'), '--connection-twins', quick ? [1000] : [1000, 10_000]),
    connections: positive(text('connections'), '--connections', quick ? 500 : 10_000),
    storeTwins: positive(text('store-twins'), '--store-twins', quick ? 2000 : 10_000),
    transportTwins: list(text('transport-twins'), '--transport-twins', quick ? [1000] : [1000, 100_000]),
    ingestRates: list(text('ingest-rates'), '--ingest-rates', quick ? [500] : [500, 2000]),
  };
}
