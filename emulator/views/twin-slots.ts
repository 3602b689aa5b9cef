/**
 * The twins of one kind (device twins or module twins) as dense parallel arrays, so a query scans views like
 * an array rather than through a Map iterator and a wrapper object per twin (measured ~1.5× faster at 100k).
 * A twin keeps its slot while it is updated; a removed twin leaves an empty slot until the arrays are
 * compacted; a twin inserted again gets a new slot at the end. Slots are in increasing insertion generation,
 * which is what readers resume by: compaction moves slots, never their order, so "the first slot inserted after
 * generation g" survives it.
 */
import type { JsonObject } from '../model/json.js';

/** Compaction waits for this many empty slots, so a few deletes never trigger a copy. */
const COMPACT_MIN_EMPTY = 1024;

/** Slot arrays of one twin kind; see the file comment. */
export class TwinSlots {
  /** The view in each slot; undefined marks a removed twin. */
  views: (JsonObject | undefined)[] = [];
  /** Insertion generation of each slot, strictly increasing. */
  inserted: number[] = [];
  private keys: string[] = [];
  private readonly slotOf = new Map<string, number>();

  /** Number of twins (non-empty slots). */
  get size(): number {
    return this.slotOf.size;
  }

  /** The view of `key`. */
  get(key: string): JsonObject | undefined {
    const slot = this.slotOf.get(key);
    return slot === undefined ? undefined : this.views[slot];
  }

  /** Insertion generation of `key`. */
  insertedAt(key: string): number | undefined {
    const slot = this.slotOf.get(key);
    return slot === undefined ? undefined : this.inserted[slot];
  }

  /** Replaces the view of `key`, or appends it with insertion generation `generation`; true when appended. */
  upsert(key: string, view: JsonObject, generation: number): boolean {
    const slot = this.slotOf.get(key);
    if (slot !== undefined) {
      this.views[slot] = view;
      return false;
    }
    this.slotOf.set(key, this.views.length);
    this.views.push(view);
    this.inserted.push(generation);
    this.keys.push(key);
    return true;
  }

  /** Empties the slot of `key`; true when it was present. */
  remove(key: string): boolean {
    const slot = this.slotOf.get(key);
    if (slot === undefined) return false;
    this.slotOf.delete(key);
    this.views[slot] = undefined;
    const empty = this.views.length - this.slotOf.size;
    if (empty >= COMPACT_MIN_EMPTY && empty > this.slotOf.size) this.compact();
    return true;
  }

  /** The first slot inserted after `generation` (binary search; `views.length` when none). */
  firstAfter(generation: number): number {
    let low = 0;
    let high = this.inserted.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if ((this.inserted[middle] as number) <= generation) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  /** The slot of the `count`-th twin (0-based) at or after slot `from`, stepping over empty slots. */
  skip(from: number, count: number): number {
    let slot = from;
    for (let left = count; slot < this.views.length; slot++) {
      if (this.views[slot] === undefined) continue;
      if (left === 0) break;
      left -= 1;
    }
    return slot;
  }

  /**
   * Drops empty slots. New arrays, not in-place edits: a reader that captured the old arrays mid-page keeps a
   * consistent (if stale) picture.
   */
  private compact(): void {
    const views: JsonObject[] = [];
    const inserted: number[] = [];
    const keys: string[] = [];
    for (let slot = 0; slot < this.views.length; slot++) {
      const view = this.views[slot];
      if (view === undefined) continue;
      const key = this.keys[slot] as string;
      this.slotOf.set(key, views.length);
      views.push(view);
      inserted.push(this.inserted[slot] as number);
      keys.push(key);
    }
    this.views = views;
    this.inserted = inserted;
    this.keys = keys;
  }
}
