/**
 * The query-side copy of every twin in its service shape (what `GET /twins/{id}` returns), kept up to date
 * incrementally by the composition root so a query never rebuilds twins. Views are replaced, never mutated: an
 * iterator or a page holding an old view keeps a consistent object.
 */
import type { JsonObject } from '../model/json.js';
import { addressOfKey } from '../model/twin-address.js';

/** One twin's current view and when the twin entered the index. */
export interface TwinViewEntry {
  /** `twinKey` of the twin: `d` or `d/m`. */
  readonly key: string;
  readonly view: JsonObject;
  /**
   * The index generation at which this twin was inserted. Unchanged by later upserts; a twin removed and
   * inserted again gets a new one. Entries iterate in increasing `inserted` order.
   */
  readonly inserted: number;
}

/** Which twins a query reads (iothub-protocol.md §9.3: FROM devices vs FROM devices.modules). */
export type TwinKind = 'devices' | 'modules';

/**
 * Map twin key → service-shape view, devices and modules apart, in insertion order. Iterators are live (they are
 * `Map` iterators): an entry upserted after the iterator started is seen with its new view, a removed entry that
 * was not reached yet is not seen, and a new key is seen at the end.
 */
export class TwinViewIndex {
  private readonly deviceEntries = new Map<string, TwinViewEntry>();
  private readonly moduleEntries = new Map<string, TwinViewEntry>();
  /** Module keys per device, so `removeDevice` need not scan every module. */
  private readonly modulesOf = new Map<string, Set<string>>();
  private changes = 0;

  /** Counts every change; strictly increases with each upsert and each effective removal. */
  get generation(): number {
    return this.changes;
  }

  /** Number of twins (devices and modules). */
  get size(): number {
    return this.deviceEntries.size + this.moduleEntries.size;
  }

  /** Number of device twins. */
  get deviceCount(): number {
    return this.deviceEntries.size;
  }

  /** Number of module twins. */
  get moduleCount(): number {
    return this.moduleEntries.size;
  }

  /** Sets the view of twin `key` (keeps its place in the order when it is already indexed). */
  upsert(key: string, view: JsonObject): void {
    this.changes += 1;
    const { deviceId, moduleId } = addressOfKey(key);
    const entries = moduleId === undefined ? this.deviceEntries : this.moduleEntries;
    const previous = entries.get(key);
    entries.set(key, { key, view, inserted: previous?.inserted ?? this.changes });
    if (moduleId !== undefined && previous === undefined) {
      let keys = this.modulesOf.get(deviceId);
      if (keys === undefined) this.modulesOf.set(deviceId, (keys = new Set()));
      keys.add(key);
    }
  }

  /** Removes twin `key`; true when it was indexed. */
  remove(key: string): boolean {
    const { deviceId, moduleId } = addressOfKey(key);
    if (moduleId === undefined) return this.removeEntry(this.deviceEntries, key);
    const removed = this.removeEntry(this.moduleEntries, key);
    const keys = this.modulesOf.get(deviceId);
    keys?.delete(key);
    if (keys?.size === 0) this.modulesOf.delete(deviceId);
    return removed;
  }

  /** Removes a device twin and all its module twins; returns how many twins were removed. */
  removeDevice(deviceId: string): number {
    let removed = this.removeEntry(this.deviceEntries, deviceId) ? 1 : 0;
    for (const key of this.modulesOf.get(deviceId) ?? []) if (this.removeEntry(this.moduleEntries, key)) removed += 1;
    this.modulesOf.delete(deviceId);
    return removed;
  }

  /** The current view of twin `key`. */
  get(key: string): JsonObject | undefined {
    return this.entry(key)?.view;
  }

  /** The current entry of twin `key` (view plus insertion generation). */
  entry(key: string): TwinViewEntry | undefined {
    return key.includes('/') ? this.moduleEntries.get(key) : this.deviceEntries.get(key);
  }

  /** Live iterator over the entries of one kind, in insertion order. */
  entries(kind: TwinKind): IterableIterator<TwinViewEntry> {
    return (kind === 'devices' ? this.deviceEntries : this.moduleEntries).values();
  }

  /** Device twin views in insertion order. */
  *devices(): IterableIterator<JsonObject> {
    for (const entry of this.deviceEntries.values()) yield entry.view;
  }

  /** Module twin views in insertion order. */
  *modules(): IterableIterator<JsonObject> {
    for (const entry of this.moduleEntries.values()) yield entry.view;
  }

  /** Every view: device twins, then module twins (the order the hub has always queried in). */
  *[Symbol.iterator](): IterableIterator<JsonObject> {
    yield* this.devices();
    yield* this.modules();
  }

  private removeEntry(entries: Map<string, TwinViewEntry>, key: string): boolean {
    if (!entries.delete(key)) return false;
    this.changes += 1;
    return true;
  }
}
