/**
 * The query-side copy of every twin in its service shape (what `GET /twins/{id}` returns), kept up to date
 * incrementally by the composition root so a query never rebuilds twins. Views are replaced, never mutated: a
 * page or iterator holding an old view keeps a consistent object.
 */
import type { JsonObject } from '../model/json.js';
import { addressOfKey } from '../model/twin-address.js';
import { TwinSlots } from './twin-slots.js';

/** Which twins a query reads (iothub-protocol.md §9.3: FROM devices vs FROM devices.modules). */
export type TwinKind = 'devices' | 'modules';

/**
 * Map twin key (`twinKey`: `d` or `d/m`) → service-shape view, device twins and module twins apart, each in
 * insertion order. An updated twin keeps its place; a twin removed and inserted again moves to the end.
 */
export class TwinViewIndex {
  private readonly deviceSlots = new TwinSlots();
  private readonly moduleSlots = new TwinSlots();
  /** Module keys per device, so `removeDevice` need not scan every module. */
  private readonly modulesOf = new Map<string, Set<string>>();
  private changes = 0;

  /** Counts every change; strictly increases with each upsert and each effective removal. */
  get generation(): number {
    return this.changes;
  }

  /** Number of twins (devices and modules). */
  get size(): number {
    return this.deviceSlots.size + this.moduleSlots.size;
  }

  /** Number of device twins. */
  get deviceCount(): number {
    return this.deviceSlots.size;
  }

  /** Number of module twins. */
  get moduleCount(): number {
    return this.moduleSlots.size;
  }

  /** Sets the view of twin `key` (an indexed twin keeps its place in the order). */
  upsert(key: string, view: JsonObject): void {
    this.changes += 1;
    const { deviceId, moduleId } = addressOfKey(key);
    const appended = this.slotsOf(key).upsert(key, view, this.changes);
    if (moduleId !== undefined && appended) {
      let keys = this.modulesOf.get(deviceId);
      if (keys === undefined) this.modulesOf.set(deviceId, (keys = new Set()));
      keys.add(key);
    }
  }

  /** Removes twin `key`; true when it was indexed. */
  remove(key: string): boolean {
    const { deviceId, moduleId } = addressOfKey(key);
    if (!this.slotsOf(key).remove(key)) return false;
    this.changes += 1;
    if (moduleId !== undefined) {
      const keys = this.modulesOf.get(deviceId);
      keys?.delete(key);
      if (keys?.size === 0) this.modulesOf.delete(deviceId);
    }
    return true;
  }

  /** Removes a device twin and all its module twins; returns how many twins were removed. */
  removeDevice(deviceId: string): number {
    let removed = this.remove(deviceId) ? 1 : 0;
    for (const key of [...(this.modulesOf.get(deviceId) ?? [])]) if (this.remove(key)) removed += 1;
    return removed;
  }

  /** The current view of twin `key`. */
  get(key: string): JsonObject | undefined {
    return this.slotsOf(key).get(key);
  }

  /** The generation at which twin `key` entered the index (unchanged by updates; new after remove + insert). */
  insertedAt(key: string): number | undefined {
    return this.slotsOf(key).insertedAt(key);
  }

  /** The slot arrays of one kind, for query cursors. Read only: change twins through this class. */
  slots(kind: TwinKind): TwinSlots {
    return kind === 'devices' ? this.deviceSlots : this.moduleSlots;
  }

  /** Device twin views in insertion order. */
  devices(): IterableIterator<JsonObject> {
    return viewsOf(this.deviceSlots);
  }

  /** Module twin views in insertion order. */
  modules(): IterableIterator<JsonObject> {
    return viewsOf(this.moduleSlots);
  }

  /** Every view: device twins, then module twins (the order the hub has always queried in). */
  *[Symbol.iterator](): IterableIterator<JsonObject> {
    yield* this.devices();
    yield* this.modules();
  }

  private slotsOf(key: string): TwinSlots {
    return key.includes('/') ? this.moduleSlots : this.deviceSlots;
  }
}

/**
 * Views in slot order. Safe while twins change: an updated twin not reached yet is seen with its new view, a
 * removed one is not seen, and compaction is followed by resuming after the last twin's insertion generation.
 */
function* viewsOf(slots: TwinSlots): IterableIterator<JsonObject> {
  let views = slots.views;
  let last = 0;
  let slot = 0;
  for (;;) {
    if (slots.views !== views) {
      views = slots.views;
      slot = slots.firstAfter(last);
    }
    if (slot >= views.length) return;
    const view = views[slot];
    slot += 1;
    if (view === undefined) continue;
    last = slots.inserted[slot - 1] as number;
    yield view;
  }
}
