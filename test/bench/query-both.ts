// Benchmark 3 of `npm run bench`: the REST query benchmark (the headline, goal 4 of the core issue) and, as a
// breakdown beside it, the engine alone over generated twins (query.bench.ts, issue 4's benchmark).
import type { BenchContext } from './bench-context.js';
import { benchQueryRest } from './query-rest.bench.js';
import { runQueryBench, type QueryBenchResult } from './query.bench.js';
import type { BenchRow } from './report.js';

/** REST pages at each stored size, then the engine-only figures at `engineTwins` (no goal: a breakdown). */
export async function benchQuery(context: BenchContext, twins: readonly number[], runs: number, engineTwins: readonly number[]): Promise<{ rows: BenchRow[]; data: object }> {
  const rest = await benchQueryRest(context, twins, runs);
  const rows: BenchRow[] = [...rest.rows];
  const engine: object[] = [];
  for (const count of engineTwins) {
    const report = (await runQueryBench({ twins: count })) as { results: QueryBenchResult[] };
    engine.push(report);
    for (const result of report.results) {
      rows.push({
        bench: '4 query engine (breakdown)', case: `${count} twins, ${result.name}`, metric: 'all pages, in-process', value: result.engineMs, unit: 'ms',
        baselineName: 'hand-written loop', baseline: result.handWrittenMs, ratio: result.ratio,
      });
    }
  }
  return { rows, data: { rest: rest.data, engine } };
}
