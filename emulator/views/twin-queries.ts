/**
 * IoT Hub queries over the TwinViewIndex: what `POST /devices/query` and the app's query console call. Twins are
 * never rebuilt per query (the index holds their service shape), and a next page continues from a cursor kept
 * server-side instead of re-running the query:
 * - SELECT * / projections: a page reads the twins from where the last one stopped up to one match past its
 *   end, so a page costs its matches plus the non-matching twins between them;
 * - aggregates and GROUP BY: the first page scans every twin of the collection; later pages page the rows it
 *   computed (one consistent result, even if twins change between pages).
 * A token whose cursor is gone (hub restarted, evicted, expired, or the token re-sent) still works: the page is
 * served from the position the token carries, as the stateless engine does (emulator/query/execute.ts).
 */
import type { JsonObject } from '../model/json.js';
import { compileQuery, QueryContinuationError, type CompiledQuery, type PagePosition, type QueryPage, type RunOptions } from '../query/index.js';
import { normalisePageSize } from '../query/execute.js';
import type { Clock } from '../util/clock.js';
import { QueryCursors, type QueryCursorsOptions } from './query-cursors.js';
import { readPage, startScan, type ScanCursor } from './scan-cursor.js';
import type { TwinKind, TwinViewIndex } from './twin-view-index.js';

/** Server-side state of one paged query. */
type Cursor =
  | { readonly kind: 'scan'; readonly query: CompiledQuery; readonly scan: ScanCursor }
  | { readonly kind: 'rows'; readonly query: CompiledQuery; readonly rows: readonly JsonObject[] };

/** Limits of TwinQueries. */
export interface TwinQueriesOptions extends Omit<QueryCursorsOptions, 'clock'> {
  /** Compiled queries kept by text; default 256. */
  readonly compiledCapacity?: number;
  /** The `devices.jobs` rows (one per device and scheduled job); none when not given. */
  readonly jobRows?: () => Iterable<JsonObject>;
}

/** Runs queries over a TwinViewIndex with server-side cursors. */
export class TwinQueries {
  private readonly cursors: QueryCursors<Cursor>;
  private readonly compiled = new Map<string, CompiledQuery>();
  private readonly compiledCapacity: number;
  private readonly jobRows: () => Iterable<JsonObject>;

  /**
   * @param index the twins to query (the composition root keeps it current).
   * @param clock ages cursors out (default: the system clock).
   * @param options cursor and compiled-query cache limits.
   */
  constructor(private readonly index: TwinViewIndex, clock?: Clock, options: TwinQueriesOptions = {}) {
    this.cursors = new QueryCursors<Cursor>({ ...options, ...(clock && { clock }) });
    this.compiledCapacity = options.compiledCapacity ?? 256;
    this.jobRows = options.jobRows ?? (() => []);
  }

  /**
   * One page of `text`, like `compileQuery(text).run(twins, options)` over the index: same page sizes (default
   * 100, clamped to 1..1000), same errors (QueryError subclasses), continuation absent on the last page.
   */
  run(text: string, options: RunOptions = {}): QueryPage {
    const query = this.compile(text);
    // devices.jobs rows are few and not indexed: the stateless engine pages them.
    if (query.collection === 'devices.jobs') return query.run(this.jobRows(), options);
    const position = options.continuation === undefined ? undefined : query.readContinuation(options.continuation);
    const pageSize = normalisePageSize(options.pageSize);
    return query.streaming ? this.streamPage(query, pageSize, position) : this.rowsPage(query, pageSize, position);
  }

  /** Drops every cursor (open paging loops continue through their tokens' positions). */
  clearCursors(): void {
    this.cursors.clear();
  }

  private streamPage(query: CompiledQuery, pageSize: number, position: PagePosition | undefined): QueryPage {
    if (position?.kind === 'rows') throw new QueryContinuationError('Invalid continuation token');
    const held = this.resume(query, position);
    const scan = held?.kind === 'scan'
      ? held.scan
      : startScan(this.index, kindOf(query), position?.scanned ?? 0, position?.returned ?? 0);
    const { page, next } = readPage(this.index, query, scan, pageSize);
    const result: QueryPage = { items: page.items, itemType: query.itemType };
    if (next !== undefined) {
      const cursor = this.cursors.put({ kind: 'scan', query, scan: next });
      result.continuation = query.writeContinuation({
        kind: 'scan', scanned: next.scanned, returned: next.returned, ...(cursor !== undefined && { cursor }),
      });
    }
    return result;
  }

  private rowsPage(query: CompiledQuery, pageSize: number, position: PagePosition | undefined): QueryPage {
    if (position?.kind === 'scan') throw new QueryContinuationError('Invalid continuation token');
    const held = this.resume(query, position);
    const rows = held?.kind === 'rows' ? held.rows : query.rows(this.views(kindOf(query)));
    const offset = position?.offset ?? 0;
    const end = offset + pageSize;
    const result: QueryPage = { items: rows.slice(offset, end), itemType: query.itemType };
    if (end < rows.length) {
      const cursor = this.cursors.put({ kind: 'rows', query, rows });
      result.continuation = query.writeContinuation({ kind: 'rows', offset: end, ...(cursor !== undefined && { cursor }) });
    }
    return result;
  }

  /** The cursor a token names, when it is still held and belongs to this query. */
  private resume(query: CompiledQuery, position: PagePosition | undefined): Cursor | undefined {
    const cursor = position?.cursor === undefined ? undefined : this.cursors.take(position.cursor);
    return cursor !== undefined && cursor.kind === position?.kind && cursor.query.hash === query.hash ? cursor : undefined;
  }

  private views(kind: TwinKind): JsonObject[] {
    return this.index.slots(kind).views.filter((view): view is JsonObject => view !== undefined);
  }

  private compile(text: string): CompiledQuery {
    const cached = this.compiled.get(text);
    if (cached !== undefined) {
      // Re-inserting keeps the map in least-recently-used order.
      this.compiled.delete(text);
      this.compiled.set(text, cached);
      return cached;
    }
    const query = compileQuery(text);
    this.compiled.set(text, query);
    if (this.compiled.size > this.compiledCapacity) {
      const oldest = this.compiled.keys().next();
      if (oldest.done !== true) this.compiled.delete(oldest.value);
    }
    return query;
  }
}

function kindOf(query: CompiledQuery): TwinKind {
  return query.collection === 'devices.modules' ? 'modules' : 'devices';
}
