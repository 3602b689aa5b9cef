/**
 * Result rows of aggregate and GROUP BY queries (iothub-protocol.md §9.3). These need every matching twin before
 * the first row is known, so they are computed in full and then paged by offset.
 */
import type { JsonObject } from '../model/json.js';
import type { QueryAst } from './ast.js';
import { createAggregateSet, type AggregateColumn, type AggregateName, type AggregateSet, type GroupState } from './aggregates.js';
import type { Evaluator } from './compile.js';
import { compileGetter } from './getters.js';
import { projectionKeys } from './validator.js';
import type { Value } from './values.js';

/** Computes every result row of an aggregate query from the twins (arrays are scanned in place). */
export type Rows = (twins: Iterable<JsonObject>) => JsonObject[];

/** True when the query aggregates (GROUP BY or an aggregate call in SELECT), so its rows need a full scan. */
export function isAggregate(ast: QueryAst): boolean {
  return ast.groupBy !== undefined || ast.select.projections.some((p) => p.expr.kind === 'call');
}

/** Builds the row computation of an aggregate query; `accept` is its FROM and WHERE filter. */
export function buildRows(ast: QueryAst, accept: (t: JsonObject) => boolean, top: number): Rows {
  const keys = projectionKeys(ast.select.projections);
  const columns: AggregateColumn[] = [];
  const groupKeys: string[] = [];
  ast.select.projections.forEach((p, i) => {
    const key = keys[i] ?? '';
    if (p.expr.kind === 'path') groupKeys.push(key);
    else {
      const arg = p.expr.args[0];
      const get = arg?.kind === 'path' ? compileGetter(arg.segments) : undefined;
      columns.push({ key, name: p.expr.name.toUpperCase() as AggregateName, ...(get && { get }) });
    }
  });
  const aggregates = createAggregateSet(columns);
  if (!ast.groupBy) {
    return (twins) => {
      const state = aggregates.create();
      const array = asArray(twins);
      for (let i = 0; i < array.length; i++) {
        const twin = array[i] as JsonObject;
        if (accept(twin)) aggregates.add(state, twin);
      }
      const row: JsonObject = {};
      aggregates.write(row, state);
      return top >= 1 ? [row] : [];
    };
  }
  const groupGet = compileGetter(ast.groupBy.segments);
  return (twins) => groupRows(asArray(twins), { accept, groupGet, aggregates, groupKeys }).slice(0, top);
}

interface Grouping {
  readonly accept: (t: JsonObject) => boolean;
  readonly groupGet: Evaluator;
  readonly aggregates: AggregateSet;
  readonly groupKeys: readonly string[];
}

interface Group {
  readonly value: Value;
  readonly state: GroupState;
}

/**
 * One row per distinct grouped value, in order of first appearance (the hub's order is unspecified, §9.3).
 * Twins lacking the property form one group whose row omits the value [U]. Row shape follows the documented
 * example: aggregates first, then the grouped value under its name: {"numberOfDevices":3,"status":"Success"}.
 * Primitive values are Map keys themselves (so 3 and '3' stay apart); objects and arrays group by their JSON.
 */
function groupRows(twins: readonly JsonObject[], grouping: Grouping): JsonObject[] {
  const { accept, groupGet, aggregates, groupKeys } = grouping;
  const primitives = new Map<Value, Group>();
  const structured = new Map<string, Group>();
  const groups: Group[] = [];
  for (let i = 0; i < twins.length; i++) {
    const twin = twins[i] as JsonObject;
    if (!accept(twin)) continue;
    const value = groupGet(twin);
    const key = typeof value === 'object' && value !== null ? JSON.stringify(value) : undefined;
    let group = key === undefined ? primitives.get(value) : structured.get(key);
    if (group === undefined) {
      group = { value, state: aggregates.create() };
      groups.push(group);
      if (key === undefined) primitives.set(value, group);
      else structured.set(key, group);
    }
    aggregates.add(group.state, twin);
  }
  return groups.map((group) => {
    const row: JsonObject = {};
    aggregates.write(row, group.state);
    if (group.value !== undefined) for (const key of groupKeys) row[key] = group.value;
    return row;
  });
}

/** Arrays are read in place; other iterables are listed first (pointers only). */
function asArray(twins: Iterable<JsonObject>): readonly JsonObject[] {
  return Array.isArray(twins) ? (twins as readonly JsonObject[]) : Array.from(twins);
}
