import type { JsonObject, JsonValue } from '../../../emulator/model/json.js';
import type { DeviceSummary } from '../../../main/contract/index.js';
import { naturalKey } from '../devices/device-filter.js';
import { isObject } from '../twin-editor/json-ops.js';
import { twinDelta } from '../twin-editor/twin-delta.js';

/** What the grid knows of a device's twin beyond the list row (loaded by query, kept fresh by twin pushes). */
export interface TwinFacts {
  readonly tags: JsonObject;
  readonly modelId: string;
  /** Desired values the device has not reported back or acknowledged (the twin editor's delta). */
  readonly pendingDesired: number;
  /** Lower-cased ids and tag text, for the text filter. */
  readonly haystack: string;
}

/** A grid row: the list's summary and, once loaded, the twin facts. */
export interface GridRow {
  readonly device: DeviceSummary;
  readonly twin?: TwinFacts;
}

/** Sortable columns; `tag:<path>` are the tag columns the user picked. */
export type ColumnId = 'deviceId' | 'state' | 'lastActivity' | 'auth' | 'transport' | 'modelId' | 'pending' | `tag:${string}`;

/** The fixed columns, in order. */
export const FIXED_COLUMNS: readonly { id: ColumnId; label: string; width: string }[] = [
  { id: 'deviceId', label: 'Device id', width: 'minmax(160px, 2fr)' },
  { id: 'state', label: 'State', width: '150px' },
  { id: 'lastActivity', label: 'Last activity', width: '110px' },
  { id: 'auth', label: 'Auth', width: '110px' },
  { id: 'transport', label: 'Transport', width: '90px' },
  { id: 'modelId', label: 'Model id', width: 'minmax(120px, 1.5fr)' },
  { id: 'pending', label: 'Pending desired', width: '90px' },
];

/** Facts of a service twin (as the query returns it). */
export function twinFacts(twin: JsonObject): TwinFacts {
  const tags = isObject(twin.tags) ? twin.tags : {};
  const properties = isObject(twin.properties) ? twin.properties : {};
  const pending = twinDelta(properties.desired, properties.reported).length;
  const id = typeof twin.deviceId === 'string' ? twin.deviceId : '';
  return {
    tags,
    modelId: typeof twin.modelId === 'string' ? twin.modelId : '',
    pendingDesired: pending,
    haystack: `${id}\n${JSON.stringify(tags)}`.toLowerCase(),
  };
}

/** The value at a dotted tag path (`location.building`), or undefined. */
export function tagAt(tags: JsonObject | undefined, path: string): JsonValue | undefined {
  let node: JsonValue | undefined = tags;
  for (const key of path.split('.')) {
    if (!isObject(node) || !Object.hasOwn(node, key)) return undefined;
    node = node[key];
  }
  return node;
}

/** A cell's text. */
export function cellText(row: GridRow, column: ColumnId): string {
  const { device, twin } = row;
  switch (column) {
    case 'deviceId': return device.deviceId;
    case 'state': return `${device.connectionState}${device.status === 'disabled' ? ' · disabled' : ''}${device.simulated ? ' · simulated' : ''}`;
    case 'lastActivity': return device.lastActivityTime;
    case 'auth': return device.authenticationType;
    case 'transport': return device.connectedVia ?? '';
    case 'modelId': return twin?.modelId ?? '';
    case 'pending': return twin ? String(twin.pendingDesired) : '';
    default: {
      const value = tagAt(twin?.tags, column.slice(4));
      return value === undefined ? '' : typeof value === 'string' ? value : JSON.stringify(value);
    }
  }
}

/** What a row sorts by in `column`: a number, or a natural-order string key. */
function sortValue(row: GridRow, column: ColumnId): string | number {
  switch (column) {
    case 'deviceId': return naturalKey(row.device.deviceId);
    case 'lastActivity': return row.device.lastActivityTime;
    case 'pending': return row.twin?.pendingDesired ?? -1;
    default: return naturalKey(cellText(row, column));
  }
}

function compareValues(a: string | number, b: string | number): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** How the grid is sorted and filtered. */
export interface GridView {
  readonly sort: { readonly column: ColumnId; readonly descending: boolean };
  /** Text over ids and tags (case-insensitive). */
  readonly text: string;
  /** Ids a query selected, or undefined for no query filter. */
  readonly queryIds?: ReadonlySet<string>;
}

/** The id order of the last id sort, reused while the same devices are listed (most updates change values only). */
let idOrder: { readonly ids: readonly string[]; readonly members: ReadonlySet<string> } | undefined;

/** All ids in natural order: the cached order when the set of ids is unchanged, else a fresh sort. */
function idsInOrder(devices: ReadonlyMap<string, DeviceSummary>): readonly string[] {
  if (idOrder && idOrder.members.size === devices.size) {
    let same = true;
    for (const id of devices.keys()) {
      if (!idOrder.members.has(id)) {
        same = false;
        break;
      }
    }
    if (same) return idOrder.ids;
  }
  const decorated = [...devices.keys()].map((id) => ({ id, key: naturalKey(id) }));
  decorated.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const ids = decorated.map((entry) => entry.id);
  idOrder = { ids, members: new Set(ids) };
  return ids;
}

/** The rows to show: filtered by text and query, sorted (ties by id). */
export function viewRows(devices: ReadonlyMap<string, DeviceSummary>, twins: ReadonlyMap<string, TwinFacts>, view: GridView): GridRow[] {
  if (view.sort.column === 'deviceId') {
    const needle = view.text.trim().toLowerCase();
    const ordered = idsInOrder(devices);
    const rows: GridRow[] = [];
    const take = (id: string) => {
      const device = devices.get(id) as DeviceSummary;
      if (view.queryIds && !view.queryIds.has(id)) return;
      const twin = twins.get(id);
      if (needle && !(twin ? twin.haystack.includes(needle) : id.toLowerCase().includes(needle))) return;
      rows.push(twin ? { device, twin } : { device });
    };
    if (view.sort.descending) for (let i = ordered.length - 1; i >= 0; i -= 1) take(ordered[i] as string);
    else for (const id of ordered) take(id);
    return rows;
  }
  return sortedRows(devices.values(), twins, view);
}

function sortedRows(devices: Iterable<DeviceSummary>, twins: ReadonlyMap<string, TwinFacts>, view: GridView): GridRow[] {
  const needle = view.text.trim().toLowerCase();
  const rows: GridRow[] = [];
  for (const device of devices) {
    if (view.queryIds && !view.queryIds.has(device.deviceId)) continue;
    const twin = twins.get(device.deviceId);
    if (needle && !(twin ? twin.haystack.includes(needle) : device.deviceId.toLowerCase().includes(needle))) continue;
    rows.push(twin ? { device, twin } : { device });
  }
  // Decorate once: sorting 10,000 rows calls the comparison ~140,000 times.
  const column = view.sort.column;
  const sign = view.sort.descending ? -1 : 1;
  const decorated = rows.map((row) => ({ row, id: naturalKey(row.device.deviceId), value: sortValue(row, column) }));
  decorated.sort((a, b) => sign * compareValues(a.value, b.value) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return decorated.map((entry) => entry.row);
}
