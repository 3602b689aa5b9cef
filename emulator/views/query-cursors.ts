/**
 * Server-side state of paged queries between requests, so a next page continues where the last one stopped
 * instead of re-running the query. Bounded twice: at most `capacity` cursors (least recently stored evicted
 * first) and each lives `ttlMs`. Losing a cursor is harmless: its continuation token still holds the position,
 * and the query falls back to re-running up to it.
 */
import { randomUUID } from 'node:crypto';

import { systemClock, type Clock } from '../util/clock.js';

/** Limits of a QueryCursors cache. */
export interface QueryCursorsOptions {
  /** Most cursors held at once; default 1000. */
  readonly capacity?: number;
  /** Lifetime of a cursor after it was stored; default 5 minutes. */
  readonly ttlMs?: number;
  readonly clock?: Clock;
  /**
   * Prefix of the ids this cache hands out; default random, so a restarted hub never takes an old token's
   * id for one of its own cursors.
   */
  readonly idPrefix?: string;
}

interface Held<T> {
  readonly value: T;
  readonly expires: number;
}

/** Default number of cursors held. */
export const DEFAULT_CURSOR_CAPACITY = 1000;
/** Default cursor lifetime (IoT Hub does not document one; a few minutes covers any client paging loop). */
export const DEFAULT_CURSOR_TTL_MS = 5 * 60_000;

/**
 * An LRU + TTL cache of query cursors. Each id is used once: `take` removes the cursor, and the page that
 * advanced it stores it again under a new id. So a client retrying a page with the same token never sees a
 * cursor another request already moved: the retry falls back to the token's position.
 */
export class QueryCursors<T> {
  private readonly held = new Map<string, Held<T>>();
  private readonly capacity: number;
  private readonly ttlMs: number;
  private readonly clock: Clock;
  private readonly prefix: string;
  private counter = 0;

  constructor(options: QueryCursorsOptions = {}) {
    this.capacity = Math.max(0, options.capacity ?? DEFAULT_CURSOR_CAPACITY);
    this.ttlMs = options.ttlMs ?? DEFAULT_CURSOR_TTL_MS;
    this.clock = options.clock ?? systemClock;
    this.prefix = options.idPrefix ?? randomUUID().slice(0, 8);
  }

  /** Number of cursors held (expired ones included until they are touched or evicted). */
  get size(): number {
    return this.held.size;
  }

  /** Stores `value` and returns its new id; undefined when the cache holds nothing (capacity 0). */
  put(value: T): string | undefined {
    if (this.capacity === 0) return undefined;
    this.sweep();
    const id = `${this.prefix}.${(this.counter += 1).toString(36)}`;
    this.held.set(id, { value, expires: this.clock.now().getTime() + this.ttlMs });
    // Map order is storage order, and every id is stored once, so the first key is the least recently stored.
    while (this.held.size > this.capacity) this.evictOldest();
    return id;
  }

  /** Removes and returns the cursor `id`; undefined when unknown, evicted or expired. */
  take(id: string): T | undefined {
    const held = this.held.get(id);
    if (held === undefined) return undefined;
    this.held.delete(id);
    return held.expires > this.clock.now().getTime() ? held.value : undefined;
  }

  /** Drops every expired cursor (the cache also stays bounded without this; it frees memory sooner). */
  sweep(): void {
    const now = this.clock.now().getTime();
    // Expiry follows storage order (one TTL for all), so expired cursors are a prefix of the map.
    for (const [id, held] of this.held) {
      if (held.expires > now) break;
      this.held.delete(id);
    }
  }

  /** Drops every cursor. */
  clear(): void {
    this.held.clear();
  }

  private evictOldest(): void {
    const oldest = this.held.keys().next();
    if (oldest.done !== true) this.held.delete(oldest.value);
  }
}
