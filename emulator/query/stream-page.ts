/**
 * One page of a streaming query (SELECT * and projections). A page stops as soon as it is full and one more
 * match proves there is a next page, so the continuation is absent exactly on the last page
 * (iothub-protocol.md §9.1). Twins are evaluated only up to that extra match, never beyond it.
 */
import type { JsonObject } from '../model/json.js';
import type { ScanPosition } from './continuation.js';

/** The compiled parts of a streaming query plus the page size of one request. */
export interface Stream {
  /** FROM and WHERE. */
  readonly accept: (t: JsonObject) => boolean;
  /** SELECT columns; absent for SELECT *, which returns the input objects themselves. */
  readonly project: ((t: JsonObject) => JsonObject) | undefined;
  /** TOP, or +Infinity. */
  readonly top: number;
  readonly pageSize: number;
}

/** One page read from a resumable iterator. */
export interface StreamedPage {
  readonly items: JsonObject[];
  /** Rows returned by the query so far, this page included (TOP counts across pages). */
  readonly returned: number;
  /**
   * True when another match follows this page. That match was read from the iterator: it is the last value the
   * iterator yielded and the first twin of the next page, so a caller that resumes must offer it again first.
   */
  readonly more: boolean;
}

/** A page of an array of twins, starting at index `scanned`; `next` says where the next page starts. */
export function pageArray(
  array: readonly JsonObject[], stream: Stream, from: { scanned: number; returned: number },
): { items: JsonObject[]; next?: ScanPosition } {
  const { returned } = from;
  const remaining = stream.top - returned;
  const limit = Math.min(stream.pageSize, remaining);
  const items: JsonObject[] = [];
  if (limit <= 0) return { items };
  const { accept, project } = stream;
  for (let i = from.scanned; i < array.length; i++) {
    const twin = array[i] as JsonObject;
    if (!accept(twin)) continue;
    if (items.length === limit) return { items, next: { kind: 'scan', scanned: i, returned: returned + limit } };
    items.push(project ? project(twin) : twin);
    if (items.length === limit && limit === remaining) return { items };
  }
  return { items };
}

/** A page read from `twins`, which continues where the previous page of the same query stopped. */
export function pageIterator(twins: Iterator<JsonObject>, stream: Stream, returned: number): StreamedPage {
  const remaining = stream.top - returned;
  const limit = Math.min(stream.pageSize, remaining);
  const items: JsonObject[] = [];
  if (limit <= 0) return { items, returned, more: false };
  const { accept, project } = stream;
  for (let step = twins.next(); step.done !== true; step = twins.next()) {
    const twin = step.value;
    if (!accept(twin)) continue;
    if (items.length === limit) return { items, returned: returned + limit, more: true };
    items.push(project ? project(twin) : twin);
    if (items.length === limit && limit === remaining) break;
  }
  return { items, returned: returned + items.length, more: false };
}
