/**
 * One page of a streaming query (SELECT * and projections). A page stops as soon as it is full and one more
 * match proves there is a next page, so the continuation is absent exactly on the last page
 * (iothub-protocol.md §9.1). Twins are evaluated only up to that extra match, never beyond it.
 */
import type { JsonObject } from '../model/json.js';

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

/** Which slots a page reads and how many rows earlier pages returned (TOP counts across pages). */
export interface SlotRange {
  readonly from: number;
  /** Exclusive end. */
  readonly to: number;
  readonly returned: number;
}

/** One page read from an array of slots. */
export interface StreamedPage {
  readonly items: JsonObject[];
  /** Rows returned by the query so far, this page included. */
  readonly returned: number;
  /** Slot of the match after this page, where the next page starts; absent on the last page. */
  readonly next?: number;
  /** Twins (non-empty slots) the page stepped over before `next`, or before `to` on the last page. */
  readonly passed: number;
}

/**
 * A page read from `slots[from, to)`, in which `undefined` marks an empty slot (a removed twin that a live
 * source has not compacted away yet).
 */
export function pageSlots(slots: readonly (JsonObject | undefined)[], stream: Stream, range: SlotRange): StreamedPage {
  const { returned } = range;
  const remaining = stream.top - returned;
  const limit = Math.min(stream.pageSize, remaining);
  const items: JsonObject[] = [];
  if (limit <= 0) return { items, returned, passed: 0 };
  const { accept, project } = stream;
  const to = Math.min(range.to, slots.length);
  let passed = 0;
  for (let i = range.from; i < to; i++) {
    const twin = slots[i];
    if (twin === undefined) continue;
    if (accept(twin)) {
      if (items.length === limit) return { items, returned: returned + limit, next: i, passed };
      items.push(project ? project(twin) : twin);
      if (items.length === limit && limit === remaining) return { items, returned: returned + limit, passed: passed + 1 };
    }
    passed += 1;
  }
  return { items, returned: returned + items.length, passed };
}
