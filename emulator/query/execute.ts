/**
 * Stage 5 (house-style H12): builds the runnable query from a validated AST and runs it over any iterable of
 * twins, page by page. SELECT * returns the input objects themselves (no copies; the caller serialises).
 * Streaming queries (SELECT * and projections) stop as soon as a page is full and one more match proves there
 * is a next page, so the continuation is absent exactly on the last page (iothub-protocol.md §9.1).
 */
import type { JsonObject } from '../model/json.js';
import { print, type Projection, type QueryAst } from './ast.js';
import { createAggregateSet, type AggregateColumn, type AggregateName, type AggregateSet, type GroupState } from './aggregates.js';
import { compileExpression, type Evaluator } from './compile.js';
import { decodeContinuation, encodeContinuation, hashText, type PagePosition } from './continuation.js';
import { QueryContinuationError } from './errors.js';
import { compileGetter } from './getters.js';
import { collectionOf, projectionKeys, type Collection } from './validator.js';
import type { Value } from './values.js';

/** Page size when the caller gives none (iothub-protocol.md §9.1: pages hold ≤ 100 records). */
export const DEFAULT_PAGE_SIZE = 100;
/** Largest page served; larger requests are clamped (older hub docs allowed 1000 per page). */
export const MAX_PAGE_SIZE = 1000;

/** Options of one `run` call. */
export interface RunOptions {
  /** Items per page (x-ms-max-item-count); default 100, clamped to 1..1000. */
  readonly pageSize?: number;
  /** Token from the previous page (x-ms-continuation). */
  readonly continuation?: string;
}

/** One page of results. `continuation` is absent on the last page. */
export interface QueryPage {
  items: JsonObject[];
  continuation?: string;
  itemType: 'Twin' | 'Raw';
}

/** A query compiled once and runnable any number of times over changing twins. */
export interface CompiledQuery {
  readonly text: string;
  readonly collection: Collection;
  /** x-ms-item-type: `Twin` for SELECT *, `Raw` for projections and aggregates. */
  readonly itemType: 'Twin' | 'Raw';
  run(twins: Iterable<JsonObject>, options?: RunOptions): QueryPage;
}

type Rows = (twins: Iterable<JsonObject>) => JsonObject[];

/** Builds the runnable query. `ast` must have passed `validate`. */
export function createCompiledQuery(text: string, ast: QueryAst): CompiledQuery {
  const collection = collectionOf(ast);
  const itemType = ast.select.star ? 'Twin' : 'Raw';
  const hash = hashText(print(ast));
  const accept = buildFilter(collection, ast.where && compileExpression(ast.where));
  const top = ast.select.top ?? Number.POSITIVE_INFINITY;
  const isAggregate = ast.groupBy !== undefined || ast.select.projections.some((p) => p.expr.kind === 'call');
  const project = ast.select.star || isAggregate ? undefined : buildProjector(ast.select.projections);
  const rows = isAggregate ? buildRows(ast, accept, top) : undefined;
  return {
    text, collection, itemType,
    run(twins, options = {}) {
      const pageSize = normalisePageSize(options.pageSize);
      const position = options.continuation === undefined ? undefined : decodeContinuation(options.continuation, hash);
      const page = rows
        ? pageRows(rows(twins), pageSize, position)
        : pageStream(twins, { accept, project, top, pageSize }, position);
      const result: QueryPage = { items: page.items, itemType };
      if (page.next) result.continuation = encodeContinuation(hash, page.next);
      return result;
    },
  };
}

function normalisePageSize(pageSize: number | undefined): number {
  if (pageSize === undefined || !Number.isFinite(pageSize) || pageSize < 1) return DEFAULT_PAGE_SIZE;
  return Math.min(MAX_PAGE_SIZE, Math.floor(pageSize));
}

function buildFilter(collection: Collection, where: Evaluator | undefined): (t: JsonObject) => boolean {
  // iothub-protocol.md §9.3: FROM devices never returns module twins; FROM devices.modules only those.
  if (collection === 'devices.modules') {
    return where ? (t) => typeof t['moduleId'] === 'string' && where(t) === true : (t) => typeof t['moduleId'] === 'string';
  }
  return where ? (t) => typeof t['moduleId'] !== 'string' && where(t) === true : (t) => typeof t['moduleId'] !== 'string';
}

/**
 * Rows of a projection. When every column has a value (the common case) the row is a copy of a per-query
 * template object, so all rows of a query share one shape and are built without property-adding transitions;
 * a row with a missing value is built key by key so the key is omitted.
 */
function buildProjector(projections: readonly Projection[]): (t: JsonObject) => JsonObject {
  const keys = projectionKeys(projections);
  const getters = projections.map((p) => compileGetter(p.expr.kind === 'path' ? p.expr.segments : []));
  const template: JsonObject = {};
  for (const key of keys) template[key] = null;
  const sparse = (t: JsonObject): JsonObject => {
    const row: JsonObject = {};
    keys.forEach((key, i) => {
      const value = getters[i]?.(t);
      if (value !== undefined) row[key] = value;
    });
    return row;
  };
  return (t) => {
    const row = { ...template };
    for (let i = 0; i < getters.length; i++) {
      const value = (getters[i] as (t: JsonObject) => Value)(t);
      if (value === undefined) return sparse(t);
      row[keys[i] as string] = value;
    }
    return row;
  };
}

interface Page {
  readonly items: JsonObject[];
  readonly next?: PagePosition;
}

interface Stream {
  readonly accept: (t: JsonObject) => boolean;
  readonly project: ((t: JsonObject) => JsonObject) | undefined;
  readonly top: number;
  readonly pageSize: number;
}

function pageStream(twins: Iterable<JsonObject>, stream: Stream, position: PagePosition | undefined): Page {
  if (position?.kind === 'rows') throw new QueryContinuationError('Invalid continuation token');
  const scanned = position?.scanned ?? 0;
  const returned = position?.returned ?? 0;
  const remaining = stream.top - returned;
  const limit = Math.min(stream.pageSize, remaining);
  const items: JsonObject[] = [];
  if (limit <= 0) return { items };
  const { accept, project } = stream;
  const array = asArray(twins);
  for (let i = scanned; i < array.length; i++) {
    const twin = array[i] as JsonObject;
    if (!accept(twin)) continue;
    // One more match after a full page proves there is a next page; it is where the next page starts.
    if (items.length === limit) return { items, next: { kind: 'scan', scanned: i, returned: returned + limit } };
    items.push(project ? project(twin) : twin);
    if (items.length === limit && limit === remaining) return { items };
  }
  return { items };
}

/**
 * Arrays are scanned in place; other iterables are listed first (pointers only), so a continuation can start
 * at an index without evaluating the twins before it.
 */
function asArray(twins: Iterable<JsonObject>): readonly JsonObject[] {
  return Array.isArray(twins) ? (twins as readonly JsonObject[]) : Array.from(twins);
}

function pageRows(rows: JsonObject[], pageSize: number, position: PagePosition | undefined): Page {
  if (position?.kind === 'scan') throw new QueryContinuationError('Invalid continuation token');
  const offset = position?.offset ?? 0;
  const end = offset + pageSize;
  const items = rows.slice(offset, end);
  return end < rows.length ? { items, next: { kind: 'rows', offset: end } } : { items };
}

function buildRows(ast: QueryAst, accept: (t: JsonObject) => boolean, top: number): Rows {
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
