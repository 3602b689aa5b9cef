/**
 * Where a streaming query (SELECT * / projections) paged over a TwinViewIndex continues. Positions are
 * insertion generations, not slot numbers, so they survive compaction of the slot arrays.
 *
 * Semantics across pages (tested in test/unit/emulator/views):
 * - the query reads the twins that were indexed when its first page ran (its horizon); twins inserted later,
 *   including a twin removed and created again, are not returned, so no twin is returned twice;
 * - a twin updated before the query reaches it is read with its new view, including the look-ahead twin that
 *   proved the previous page was not the last;
 * - a twin removed before the query reaches it is not returned.
 */
import type { CompiledQuery, StreamedPage } from '../query/index.js';
import type { TwinKind, TwinViewIndex } from './twin-view-index.js';

/** A streaming query's position between pages. */
export interface ScanCursor {
  /** Index generation at the first page: twins inserted after it are not read. */
  readonly horizon: number;
  /** Insertion generation of the twin that starts the next page; the page starts there or after. */
  readonly nextInserted: number;
  /** Twins of the kind before the next page's first one (the token's fallback position). */
  readonly scanned: number;
  /** Rows returned so far (TOP counts across pages). */
  readonly returned: number;
}

/**
 * A cursor at the `scanned`-th twin of the kind as the index is now: how a query starts, and how it resumes
 * when its cursor was lost (the twins before are stepped over, not read).
 */
export function startScan(index: TwinViewIndex, kind: TwinKind, scanned: number, returned: number): ScanCursor {
  const slots = index.slots(kind);
  const slot = slots.skip(0, scanned);
  const horizon = index.generation;
  return { horizon, nextInserted: slots.inserted[slot] ?? horizon + 1, scanned, returned };
}

/** Reads the page at `cursor`; `next` is where the page after it starts (absent on the last page). */
export function readPage(
  index: TwinViewIndex, query: CompiledQuery, cursor: ScanCursor, pageSize: number,
): { page: StreamedPage; next?: ScanCursor } {
  const slots = index.slots(query.collection === 'devices.modules' ? 'modules' : 'devices');
  const from = slots.firstAfter(cursor.nextInserted - 1);
  const to = slots.firstAfter(cursor.horizon);
  const page = query.streamPage(slots.views, { from, to, pageSize, returned: cursor.returned });
  if (page.next === undefined) return { page };
  const next: ScanCursor = {
    horizon: cursor.horizon,
    nextInserted: slots.inserted[page.next] as number,
    scanned: cursor.scanned + page.passed,
    returned: page.returned,
  };
  return { page, next };
}
