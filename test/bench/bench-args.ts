import { parseArgs } from 'node:util';

/** Options of `npm run bench`. */
export interface BenchOptions {
  /** Which benchmarks (1-5) to run. */
  readonly only: ReadonlySet<number>;
  readonly quick: boolean;
  readonly warmupMs: number;
  readonly measureMs: number;
  /** Benchmark 1: connected-device counts. */
  readonly reportedDevices: readonly number[];
  /** Benchmark 2: connected devices and desired patches sent. */
  readonly desiredDevices: number;
  readonly desiredPatches: number;
  /** Benchmark 3: query sizes and the twin count of the start-time measurement. */
  readonly queryTwins: readonly number[];
  readonly startTwins: number;
  /** Benchmark 4: devices to connect. */
  readonly connections: number;
  /** Benchmark 5: twins in the store. */
  readonly storeTwins: number;
}

/** Usage text of `npm run bench`. */
export const BENCH_USAGE = `Usage: npm run bench -- [options]

  --quick               ~1-minute smoke run with small sizes (what CI could run)
  --only <list>         benchmarks to run, e.g. --only 1,4 (1 reported RTT, 2 desired notify,
                        3 query + start time, 4 connections, 5 store writes); default all
  --measure-ms <n>      measuring window of each throughput run (default 5000; quick 1000)
  --warmup-ms <n>       warm-up before it (default 1500; quick 300)
  --devices <list>      benchmark 1 device counts (default 1,100,1000; quick 1,100)
  --desired-devices <n> benchmark 2 connected devices (default 1000; quick 200)
  --patches <n>         benchmark 2 desired patches (default 2000; quick 200)
  --query-twins <list>  benchmark 3 query sizes (default 10000,100000; quick 10000)
  --start-twins <n>     benchmark 3 persisted twins for the start time (default 100000; quick 10000)
  --connections <n>     benchmark 4 devices to connect (default 10000; quick 500)
  --store-twins <n>     benchmark 5 twins in the store (default 10000; quick 2000)

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

/** Parses argv; throws with a message naming the bad option. */
export function parseBenchArgs(argv: readonly string[]): BenchOptions & { help: boolean } {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      quick: { type: 'boolean', default: false },
      only: { type: 'string' },
      'measure-ms': { type: 'string' },
      'warmup-ms': { type: 'string' },
      devices: { type: 'string' },
      'desired-devices': { type: 'string' },
      patches: { type: 'string' },
      'query-twins': { type: 'string' },
      'start-twins': { type: 'string' },
      connections: { type: 'string' },
      'store-twins': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
    allowPositionals: false,
  });
  const quick = values.quick === true;
  const only = values.only === undefined ? [1, 2, 3, 4, 5] : numberList(values.only, '--only');
  if (only.some((n) => n > 5)) throw new Error('--only takes benchmark numbers 1-5');
  return {
    help: values.help === true,
    quick,
    only: new Set(only),
    warmupMs: positive(values['warmup-ms'], '--warmup-ms', quick ? 300 : 1500),
    measureMs: positive(values['measure-ms'], '--measure-ms', quick ? 1000 : 5000),
    reportedDevices: values.devices === undefined ? (quick ? [1, 100] : [1, 100, 1000]) : numberList(values.devices, '--devices'),
    desiredDevices: positive(values['desired-devices'], '--desired-devices', quick ? 200 : 1000),
    desiredPatches: positive(values.patches, '--patches', quick ? 200 : 2000),
    queryTwins: values['query-twins'] === undefined ? (quick ? [10_000] : [10_000, 100_000]) : numberList(values['query-twins'], '--query-twins'),
    startTwins: positive(values['start-twins'], '--start-twins', quick ? 10_000 : 100_000),
    connections: positive(values.connections, '--connections', quick ? 500 : 10_000),
    storeTwins: positive(values['store-twins'], '--store-twins', quick ? 2000 : 10_000),
  };
}
