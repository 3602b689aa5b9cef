/**
 * A live position in the twins of one kind, for a streaming query paged over a TwinViewIndex. It yields views
 * to the query engine and resumes, page after page, from the index's live iterator.
 *
 * Semantics across pages (tested in test/unit/emulator/views):
 * - the query reads the twins that were indexed when its first page ran (its horizon); twins inserted later,
 *   including a twin deleted and created again, are not returned, so no twin is returned twice;
 * - a twin updated after the first page is read with its new view when the cursor reaches it;
 * - a twin removed before the cursor reaches it is not returned.
 */
import type { JsonObject } from '../model/json.js';
import type { TwinKind, TwinViewEntry, TwinViewIndex } from './twin-view-index.js';

/** Resumable iterator over the views of one kind; see the file comment for what it returns. */
export class ScanCursor implements Iterator<JsonObject> {
  /** Entries taken from the index's iterator so far (the next twin's position in iteration order). */
  private taken = 0;
  /** Position of the last twin yielded. */
  private lastPosition = -1;
  private last: TwinViewEntry | undefined;
  /** The twin that starts the next page: read by the previous page's look-ahead, offered again first. */
  private pending: { readonly entry: TwinViewEntry; readonly position: number } | undefined;
  private readonly entries: Iterator<TwinViewEntry>;
  private finished = false;

  /**
   * @param index the twins.
   * @param kind device twins or module twins.
   * @param horizon the index generation at the query's first page; twins inserted after it are not read.
   */
  constructor(private readonly index: TwinViewIndex, kind: TwinKind, private readonly horizon: number) {
    this.entries = index.entries(kind);
  }

  /** Position in iteration order of the twin that starts the next page (for the token's fallback). */
  get position(): number {
    return this.pending?.position ?? this.taken;
  }

  /** Steps over `count` twins without reading them: resumes a query whose cursor was lost. */
  skip(count: number): void {
    while (this.taken < count && this.nextEntry() !== undefined);
  }

  /** Keeps the last twin yielded for the next page (after a page the engine ended with `more`). */
  holdLast(): void {
    if (this.last !== undefined) this.pending = { entry: this.last, position: this.lastPosition };
  }

  /** The next twin's current view. */
  next(): IteratorResult<JsonObject> {
    const replay = this.pending && this.reread(this.pending.entry);
    if (this.pending !== undefined && replay !== undefined) {
      this.lastPosition = this.pending.position;
      this.pending = undefined;
      this.last = replay;
      return { done: false, value: replay.view };
    }
    this.pending = undefined;
    const entry = this.nextEntry();
    if (entry === undefined) return { done: true, value: undefined };
    this.lastPosition = this.taken - 1;
    this.last = entry;
    return { done: false, value: entry.view };
  }

  /** The current entry of a twin read earlier, unless it was removed (or removed and inserted again) since. */
  private reread(entry: TwinViewEntry): TwinViewEntry | undefined {
    const current = this.index.entry(entry.key);
    return current?.inserted === entry.inserted ? current : undefined;
  }

  private nextEntry(): TwinViewEntry | undefined {
    if (this.finished) return undefined;
    const step = this.entries.next();
    // Entries iterate in insertion order, so the first one past the horizon ends the scan.
    if (step.done === true || step.value.inserted > this.horizon) {
      this.finished = true;
      return undefined;
    }
    this.taken += 1;
    return step.value;
  }
}
