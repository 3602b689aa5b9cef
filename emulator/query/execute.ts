/**
 * Stage 5 (house-style H12): builds the runnable query from a validated AST. `run` pages over any iterable of
 * twins and is stateless: a continuation token says where the next page starts, so each page re-reads the
 * input up to there without evaluating it. `streamPage` and `rows` are the pieces a caller with a live,
 * resumable source uses instead (emulator/views keeps slot positions between pages). SELECT * returns the input
 * objects themselves (no copies; the caller serialises).
 */
import type { JsonObject } from '../model/json.js';
import { print, type QueryAst } from './ast.js';
import { compileExpression, type Evaluator } from './compile.js';
import { decodeContinuation, encodeContinuation, hashText, type PagePosition } from './continuation.js';
import { QueryContinuationError } from './errors.js';
import { buildProjector } from './projection.js';
import { buildRows, isAggregate } from './rows.js';
import { pageSlots, type Stream, type StreamedPage } from './stream-page.js';
import { collectionOf, type Collection } from './validator.js';

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
  itemType: QueryItemType;
}

/** x-ms-item-type of a page: `Twin` (SELECT * over twins), `DeviceJob` (SELECT * FROM devices.jobs), else `Raw`. */
export type QueryItemType = 'Twin' | 'DeviceJob' | 'Raw';

/** Options of one `streamPage` call. */
export interface StreamOptions {
  /** First slot to read; default 0. */
  readonly from?: number;
  /** Slot to stop before; default the end of the array. */
  readonly to?: number;
  /** As in RunOptions; normalised the same way. */
  readonly pageSize?: number;
  /** Rows the previous pages returned (for TOP); default 0. */
  readonly returned?: number;
}

/** A query compiled once and runnable any number of times over changing twins. */
export interface CompiledQuery {
  readonly text: string;
  readonly collection: Collection;
  /** x-ms-item-type: `Twin` for SELECT *, `Raw` for projections and aggregates. */
  readonly itemType: QueryItemType;
  /** Identifies the query up to spacing and keyword case (a hash of its printed AST). */
  readonly hash: string;
  /** False for aggregates and GROUP BY, whose rows need every twin before the first one is known. */
  readonly streaming: boolean;
  /** One page over `twins`, continuing from `options.continuation` by re-reading up to its position. */
  run(twins: Iterable<JsonObject>, options?: RunOptions): QueryPage;
  /**
   * One page read from an array of slots in which `undefined` marks an empty slot (streaming queries only).
   * `next` in the result is the slot where the next page starts.
   */
  streamPage(slots: readonly (JsonObject | undefined)[], options?: StreamOptions): StreamedPage;
  /** Every result row of an aggregate or GROUP BY query (non-streaming queries only). */
  rows(twins: Iterable<JsonObject>): JsonObject[];
  /** Reads a token issued for this query; throws QueryContinuationError when malformed or another query's. */
  readContinuation(token: string): PagePosition;
  /** The opaque token for `position` of this query. */
  writeContinuation(position: PagePosition): string;
}

/** Builds the runnable query. `ast` must have passed `validate`. */
export function createCompiledQuery(text: string, ast: QueryAst): CompiledQuery {
  const collection = collectionOf(ast);
  const itemType: QueryItemType = !ast.select.star ? 'Raw' : collection === 'devices.jobs' ? 'DeviceJob' : 'Twin';
  // The hash of the printed AST ties a token to its query whatever the spacing and keyword case.
  const hash = hashText(print(ast));
  const accept = buildFilter(collection, ast.where && compileExpression(ast.where));
  const top = ast.select.top ?? Number.POSITIVE_INFINITY;
  const aggregate = isAggregate(ast);
  const project = ast.select.star || aggregate ? undefined : buildProjector(ast.select.projections);
  const rows = aggregate ? buildRows(ast, accept, top) : undefined;
  const stream = (pageSize: number | undefined): Stream => ({ accept, project, top, pageSize: normalisePageSize(pageSize) });
  return {
    text, collection, itemType, hash, streaming: rows === undefined,
    run(twins, options = {}) {
      const position = options.continuation === undefined ? undefined : decodeContinuation(options.continuation, hash);
      const page = rows
        ? pageRows(rows(twins), normalisePageSize(options.pageSize), position)
        : pageScan(twins, stream(options.pageSize), position);
      const result: QueryPage = { items: page.items, itemType };
      if (page.next) result.continuation = encodeContinuation(hash, page.next);
      return result;
    },
    streamPage(slots, options = {}) {
      if (rows) throw new Error(`streamPage needs a streaming query, not '${text}'`);
      const range = { from: options.from ?? 0, to: options.to ?? slots.length, returned: options.returned ?? 0 };
      return pageSlots(slots, stream(options.pageSize), range);
    },
    rows(twins) {
      if (!rows) throw new Error(`rows needs an aggregate query, not '${text}'`);
      return rows(twins);
    },
    readContinuation: (token) => decodeContinuation(token, hash),
    writeContinuation: (position) => encodeContinuation(hash, position),
  };
}

/** The page size a request gets: default 100, clamped to 1..1000, fractions rounded down. */
export function normalisePageSize(pageSize: number | undefined): number {
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

interface Page {
  readonly items: JsonObject[];
  readonly next?: PagePosition;
}

function pageScan(twins: Iterable<JsonObject>, stream: Stream, position: PagePosition | undefined): Page {
  if (position?.kind === 'rows') throw new QueryContinuationError('Invalid continuation token');
  // Other iterables are listed first (pointers only), so a page can start at an index without evaluating
  // the twins before it.
  const array = Array.isArray(twins) ? (twins as readonly JsonObject[]) : Array.from(twins);
  const page = pageSlots(array, stream, { from: position?.scanned ?? 0, to: array.length, returned: position?.returned ?? 0 });
  return page.next === undefined
    ? { items: page.items }
    : { items: page.items, next: { kind: 'scan', scanned: page.next, returned: page.returned } };
}

function pageRows(rows: JsonObject[], pageSize: number, position: PagePosition | undefined): Page {
  if (position?.kind === 'scan') throw new QueryContinuationError('Invalid continuation token');
  const offset = position?.offset ?? 0;
  const end = offset + pageSize;
  const items = rows.slice(offset, end);
  return end < rows.length ? { items, next: { kind: 'rows', offset: end } } : { items };
}
