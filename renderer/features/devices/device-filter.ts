import type { DeviceSummary } from '../../../main/contract/index.js';

/** Which devices the list shows. */
export interface DeviceFilter {
  readonly text: string;
  readonly state: 'all' | 'connected' | 'disconnected' | 'disabled';
}

/** One collator for every sort: `localeCompare` with options builds one per call, which is slow on 10,000 ids. */
const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

/** Orders device ids as people read them (dev-2 before dev-10, case-insensitive). */
export const compareIds = (a: string, b: string): number => collator.compare(a, b);

/**
 * A key whose plain `<` order is the reading order of `compareIds` for letters, case and numbers (punctuation may
 * order differently):
 * lower-cased, every run of digits padded to 16 places. Comparing these is ~20× faster than a collator, which
 * matters when 10,000 ids are sorted on every list change.
 */
export function naturalKey(id: string): string {
  let key = keys.get(id);
  if (key === undefined) {
    if (keys.size >= MAX_KEYS) keys.clear();
    key = id.toLowerCase().replace(/\d+/g, (digits) => digits.padStart(16, '0'));
    keys.set(id, key);
  }
  return key;
}

/** Keys already built (ids repeat on every re-sort); bounded. */
const keys = new Map<string, string>();
const MAX_KEYS = 50_000;

/** Sorts `items` by `naturalKey(idOf(item))`, ties by the raw id: decorate, sort, undecorate. */
export function sortByNaturalId<T>(items: readonly T[], idOf: (item: T) => string): T[] {
  const decorated = items.map((item) => ({ key: naturalKey(idOf(item)), id: idOf(item), item }));
  decorated.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return decorated.map((entry) => entry.item);
}

/** The devices matching `filter`, sorted by id (case-insensitive, numbers in order: dev-2 before dev-10). */
export function filterDevices(devices: Iterable<DeviceSummary>, filter: DeviceFilter): DeviceSummary[] {
  const needle = filter.text.trim().toLowerCase();
  const matching = [...devices]
    .filter((device) => !needle || device.deviceId.toLowerCase().includes(needle))
    .filter((device) => {
      switch (filter.state) {
        case 'connected': return device.connectionState === 'Connected';
        case 'disconnected': return device.connectionState === 'Disconnected';
        case 'disabled': return device.status === 'disabled';
        default: return true;
      }
    });
  return sortByNaturalId(matching, (device) => device.deviceId);
}
