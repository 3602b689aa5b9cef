/**
 * Aggregate computation for `SELECT COUNT() …` and `GROUP BY` (iothub-protocol.md §9.3). COUNT() counts rows;
 * AVG, SUM, MIN and MAX read numbers only and ignore anything else [I]. Over zero numbers SUM is 0 and
 * AVG / MIN / MAX are undefined, so their column is omitted (README.md records the choice).
 * COUNT needs no per-column state: every group counts its rows once, whatever the number of COUNT columns.
 */
import type { JsonObject } from '../model/json.js';
import type { Evaluator } from './compile.js';

/** The aggregate functions. */
export type AggregateName = 'COUNT' | 'AVG' | 'SUM' | 'MIN' | 'MAX';

/** One aggregate output column. `get` reads the argument path (absent for COUNT). */
export interface AggregateColumn {
  readonly key: string;
  readonly name: AggregateName;
  readonly get?: Evaluator;
}

/** Running totals of one group. */
export interface GroupState {
  rows: number;
  /** One accumulator per column; COUNT columns keep theirs unused. */
  readonly accumulators: Accumulator[];
}

interface Accumulator {
  count: number;
  sum: number;
  min: number;
  max: number;
}

/** The aggregate columns of one query, compiled once. */
export interface AggregateSet {
  create(): GroupState;
  add(state: GroupState, twin: JsonObject): void;
  /** Writes the finished columns into `row` in select order, omitting undefined values. */
  write(row: JsonObject, state: GroupState): void;
}

/** Builds the aggregate set for `columns`. */
export function createAggregateSet(columns: readonly AggregateColumn[]): AggregateSet {
  const valued = columns.flatMap((column, index) => (column.get ? [{ index, get: column.get }] : []));
  const add = valued.length === 0
    ? (state: GroupState): void => { state.rows++; }
    : (state: GroupState, twin: JsonObject): void => {
      state.rows++;
      for (const { index, get } of valued) {
        const v = get(twin);
        if (typeof v !== 'number') continue;
        const acc = state.accumulators[index] as Accumulator;
        acc.count++;
        acc.sum += v;
        if (v < acc.min) acc.min = v;
        if (v > acc.max) acc.max = v;
      }
    };
  return {
    create: () => ({
      rows: 0,
      accumulators: columns.map(() => ({ count: 0, sum: 0, min: Number.POSITIVE_INFINITY, max: Number.NEGATIVE_INFINITY })),
    }),
    add,
    write(row, state) {
      columns.forEach((column, i) => {
        const value = finish(column.name, state.rows, state.accumulators[i] as Accumulator);
        if (value !== undefined) row[column.key] = value;
      });
    },
  };
}

function finish(name: AggregateName, rows: number, acc: Accumulator): number | undefined {
  switch (name) {
    case 'COUNT': return rows;
    case 'SUM': return acc.sum;
    case 'AVG': return acc.count > 0 ? acc.sum / acc.count : undefined;
    case 'MIN': return acc.count > 0 ? acc.min : undefined;
    case 'MAX': return acc.count > 0 ? acc.max : undefined;
  }
}
