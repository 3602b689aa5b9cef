/**
 * Aggregate computation for `SELECT COUNT() …` and `GROUP BY` (iothub-protocol.md §9.3). COUNT() counts rows;
 * AVG, SUM, MIN and MAX read numbers only and ignore anything else [I]. Over zero numbers SUM is 0 and
 * AVG / MIN / MAX are undefined, so their column is omitted (README.md records the choice).
 */
import type { JsonObject } from '../model/json.js';
import type { Evaluator } from './compile.js';
import type { Value } from './values.js';

/** The aggregate functions. */
export type AggregateName = 'COUNT' | 'AVG' | 'SUM' | 'MIN' | 'MAX';

/** One aggregate output column. `get` reads the argument path (absent for COUNT). */
export interface AggregateColumn {
  readonly key: string;
  readonly name: AggregateName;
  readonly get?: Evaluator;
}

/** Running state of one aggregate column for one group. */
export interface Accumulator {
  count: number;
  sum: number;
  min: number;
  max: number;
}

/** Fresh accumulators, one per column. */
export function newAccumulators(columns: readonly AggregateColumn[]): Accumulator[] {
  return columns.map(() => ({ count: 0, sum: 0, min: Number.POSITIVE_INFINITY, max: Number.NEGATIVE_INFINITY }));
}

/** Adds one twin to the accumulators of its group. */
export function accumulate(columns: readonly AggregateColumn[], accumulators: readonly Accumulator[], twin: JsonObject): void {
  for (let i = 0; i < columns.length; i++) {
    const column = columns[i] as AggregateColumn;
    const acc = accumulators[i] as Accumulator;
    if (column.get === undefined) {
      acc.count++;
      continue;
    }
    const v = column.get(twin);
    if (typeof v !== 'number') continue;
    acc.count++;
    acc.sum += v;
    if (v < acc.min) acc.min = v;
    if (v > acc.max) acc.max = v;
  }
}

/** The final value of one column. */
export function finish(column: AggregateColumn, acc: Accumulator): Value {
  switch (column.name) {
    case 'COUNT': return acc.count;
    case 'SUM': return acc.sum;
    case 'AVG': return acc.count > 0 ? acc.sum / acc.count : undefined;
    case 'MIN': return acc.count > 0 ? acc.min : undefined;
    case 'MAX': return acc.count > 0 ? acc.max : undefined;
  }
}

/** Writes the finished aggregate columns into `row`, omitting undefined values. */
export function writeAggregates(row: JsonObject, columns: readonly AggregateColumn[], accumulators: readonly Accumulator[]): void {
  columns.forEach((column, i) => {
    const value = finish(column, accumulators[i] as Accumulator);
    if (value !== undefined) row[column.key] = value;
  });
}
