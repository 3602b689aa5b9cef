import type { JsonObject, JsonValue } from '../../../emulator/model/json.js';
import type { TwinAtVersion, TwinHistoryEntry } from '../../../emulator/model/twin-history.js';

// The twin timeline, computed in the studio from what the hub sends: the change log (entries with the inverse
// patches that undo each write) and the twin at its current version. Walking the inverses back gives the twin at
// every version the log reaches, so the scrubber, the diff and "who changed this property" need no further calls.

/** A twin at one version as the timeline shows it: the service-side shape with `$metadata` when known. */
export interface VersionView {
  readonly version: number;
  readonly tags: JsonObject;
  readonly desired: JsonObject;
  readonly reported: JsonObject;
  readonly desiredMetadata?: JsonObject;
  readonly reportedMetadata?: JsonObject;
  /** The log entry that produced this version; absent for the oldest version reached. */
  readonly entry?: TwinHistoryEntry;
}

/** Every version from the oldest the log reaches to the current one, oldest first. */
export function versionsOf(current: TwinAtVersion, entries: readonly TwinHistoryEntry[]): VersionView[] {
  const byVersion = new Map(entries.map((entry) => [entry.version, entry]));
  const strip = ({ $version: _v, ...rest }: JsonObject) => rest;
  let view: VersionView = {
    version: current.version,
    tags: current.tags,
    desired: current.desired,
    reported: current.reported,
    ...(current.metadata ? { desiredMetadata: current.metadata.desired, reportedMetadata: current.metadata.reported } : {}),
  };
  const views: VersionView[] = [];
  for (;;) {
    const entry = byVersion.get(view.version);
    views.push(entry ? { ...view, entry } : view);
    if (!entry) break;
    const desired = entry.inverse.desired ? { ...mergePatch(strip(view.desired), entry.inverse.desired), $version: Number(view.desired.$version) - 1 } : view.desired;
    const reported = entry.inverse.reported ? { ...mergePatch(strip(view.reported), entry.inverse.reported), $version: Number(view.reported.$version) - 1 } : view.reported;
    const meta = entry.metadataInverse;
    const exact = meta !== undefined || (!entry.changes.desired && !entry.changes.reported);
    view = {
      version: view.version - 1,
      tags: entry.inverse.tags ? mergePatch(view.tags, entry.inverse.tags) : view.tags,
      desired,
      reported,
      ...(exact && view.desiredMetadata && view.reportedMetadata
        ? {
            desiredMetadata: meta?.desired ? mergePatch(view.desiredMetadata, meta.desired) : view.desiredMetadata,
            reportedMetadata: meta?.reported ? mergePatch(view.reportedMetadata, meta.reported) : view.reportedMetadata,
          }
        : {}),
    };
  }
  return views.reverse();
}

/** The twin document at a version, as the studio shows it (`$metadata` inside the sections when known). */
export function twinDocumentOf(view: VersionView): JsonObject {
  const section = (data: JsonObject, metadata: JsonObject | undefined) => (metadata ? { ...data, $metadata: metadata } : data);
  return { version: view.version, tags: view.tags, properties: { desired: section(view.desired, view.desiredMetadata), reported: section(view.reported, view.reportedMetadata) } };
}

/** One changed leaf between two versions. */
export interface PathChange {
  /** `tags.location.plant`, `properties.desired.fan`, … */
  readonly path: string;
  readonly before: JsonValue | undefined;
  readonly after: JsonValue | undefined;
}

/** The leaves that differ between two versions (`$version`s included, `$metadata` left out), sorted by path. */
export function diffVersions(a: VersionView, b: VersionView): PathChange[] {
  const left = leaves(contentOf(a));
  const right = leaves(contentOf(b));
  const paths = [...new Set([...left.keys(), ...right.keys()])].sort();
  const changes: PathChange[] = [];
  for (const path of paths) {
    const before = left.get(path);
    const after = right.get(path);
    if (JSON.stringify(before) !== JSON.stringify(after)) changes.push({ path, before, after });
  }
  return changes;
}

/** One write that changed a property. */
export interface PropertyChange {
  readonly version: number;
  readonly time: string;
  readonly writer: string;
  readonly before: JsonValue | undefined;
  readonly after: JsonValue | undefined;
}

/** When did the value at `path` (or anything under it) change, and who changed it: newest first. */
export function propertyHistory(views: readonly VersionView[], path: string): PropertyChange[] {
  const changes: PropertyChange[] = [];
  for (let i = 1; i < views.length; i++) {
    const previous = views[i - 1] as VersionView;
    const view = views[i] as VersionView;
    const before = valueAt(contentOf(previous), path);
    const after = valueAt(contentOf(view), path);
    if (JSON.stringify(before) === JSON.stringify(after) || !view.entry) continue;
    changes.push({ version: view.version, time: view.entry.time, writer: view.entry.writer, before, after });
  }
  return changes.reverse();
}

/** The kind of writer for a badge: `device`, `service`, `studio`, `job`, `configuration`, `hub`. */
export function writerKind(writer: string): string {
  return writer.split(':')[0] ?? writer;
}

/** A writer in words, for someone new to twins. */
export function writerLabel(writer: string): string {
  const [kind, ...rest] = writer.split(':');
  const name = rest.join(':');
  switch (kind) {
    case 'device':
      return `device ${name}`;
    case 'service':
      return `back end (policy ${name})`;
    case 'studio':
      return 'Twin Studio';
    case 'job':
      return `job ${name}`;
    case 'configuration':
      return `configuration ${name}`;
    default:
      return writer;
  }
}

/** The sections an entry touched, in order. */
export function sectionsOf(entry: TwinHistoryEntry): string[] {
  return (['tags', 'desired', 'reported'] as const).filter((part) => entry.changes[part] !== undefined);
}

/** The history as a JSON file the user can keep. */
export function historyExport(address: { deviceId: string; moduleId?: string }, version: number, entries: readonly TwinHistoryEntry[], now: Date): JsonObject {
  return {
    format: 'twin-studio-twin-history',
    deviceId: address.deviceId,
    ...(address.moduleId ? { moduleId: address.moduleId } : {}),
    exportedAt: now.toISOString(),
    currentVersion: version,
    entries: entries as unknown as JsonValue[],
  };
}

function contentOf(view: VersionView): JsonObject {
  return { tags: view.tags, properties: { desired: view.desired, reported: view.reported } };
}

/** Leaves by dotted path; arrays are leaves (twins treat them atomically); empty objects hold no leaf. */
function leaves(value: JsonObject, prefix = '', into = new Map<string, JsonValue>()): Map<string, JsonValue> {
  for (const key of Object.keys(value)) {
    const child = value[key] as JsonValue;
    const path = prefix ? `${prefix}.${key}` : key;
    if (isObject(child)) leaves(child, path, into);
    else into.set(path, child);
  }
  return into;
}

/** The value at a dotted path, or undefined. */
export function valueAt(value: JsonObject, path: string): JsonValue | undefined {
  let node: JsonValue | undefined = value;
  for (const key of path.split('.')) {
    if (!isObject(node) || !Object.hasOwn(node, key)) return undefined;
    node = node[key];
  }
  return node;
}

/** JSON merge-patch (RFC 7396); returns a new object, keys kept as data. */
export function mergePatch(target: JsonObject, patch: JsonObject): JsonObject {
  const result: JsonObject = { ...target };
  for (const key of Object.keys(patch)) {
    const value = patch[key] as JsonValue;
    const existing = Object.hasOwn(result, key) ? result[key] : undefined;
    if (value === null) delete result[key];
    else if (isObject(value)) Object.defineProperty(result, key, { value: mergePatch(isObject(existing) ? existing : {}, value), enumerable: true, writable: true, configurable: true });
    else Object.defineProperty(result, key, { value, enumerable: true, writable: true, configurable: true });
  }
  return result;
}

function isObject(value: JsonValue | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
