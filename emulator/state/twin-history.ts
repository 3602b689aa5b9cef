import type { SectionChange, TwinWritten } from '../model/changes.js';
import type { JsonObject, JsonValue } from '../model/json.js';
import { isJsonObject } from '../model/json.js';
import { principalName } from '../model/request-context.js';
import type { MetadataNode, TwinSection, TwinState } from '../model/twin.js';
import type { TwinAtVersion, TwinHistoryEntry, TwinPart } from '../model/twin-history.js';
import { applyTwinWrite } from '../twin/twin-writes.js';
import { getOwn, setOwn } from '../util/own-keys.js';

// The twin change log: one entry per accepted twin write, with the inverse patches that undo it, so the twin at
// any version still in the log is the current twin with the inverses of every later entry applied, newest first.

const PARTS: readonly TwinPart[] = ['tags', 'desired', 'reported'];

/**
 * The log entry for a write, computed from the twin as it was before the write. With the twin after the write it
 * also holds the `$metadata` inverses, so the twin at an older version comes back with its metadata.
 */
export function historyEntry(before: TwinState, change: TwinWritten, after?: TwinState): TwinHistoryEntry {
  const changes: Partial<Record<TwinPart, SectionChange>> = {};
  const inverse: Partial<Record<TwinPart, JsonObject>> = {};
  const metadataInverse: Partial<Record<'desired' | 'reported', JsonObject>> = {};
  for (const part of PARTS) {
    const write = change[part];
    if (!write) continue;
    changes[part] = write;
    const old = partData(before, part);
    inverse[part] = write.mode === 'replace' ? replacementInverse(old, write.patch) : mergeInverse(old, write.patch);
    if (after && part !== 'tags') metadataInverse[part] = diffInverse(metaOf(before[part]), metaOf(after[part]));
  }
  return {
    version: change.version,
    time: change.time,
    writer: principalName(change.writer),
    changes,
    inverse,
    desiredVersion: change.desiredVersion,
    reportedVersion: change.reportedVersion,
    ...(after ? { metadataInverse } : {}),
  };
}

/**
 * The whole twin state (data, `$metadata`, `$version`s) at `version`, walking the log back from the current twin;
 * undefined when the log does not reach that far (or the version is in the future). `metadataExact` is false when
 * an entry on the way lacks metadata inverses (its `$metadata` is then the current one, not the old one).
 */
export function twinStateAtVersion(current: TwinState, log: readonly TwinHistoryEntry[], version: number): { state: TwinState; metadataExact: boolean } | undefined {
  if (version > current.version || version < 1) return undefined;
  let { tags, desired, reported } = current;
  let metadataExact = true;
  let at = current.version;
  for (let i = log.length - 1; i >= 0 && at > version; i--) {
    const entry = log[i];
    if (!entry || entry.version !== at) return undefined;
    if (entry.inverse.tags) tags = applyMergePatch(tags, entry.inverse.tags);
    if (entry.changes.desired) desired = stepBack(desired, entry.inverse.desired, entry.metadataInverse?.desired);
    if (entry.changes.reported) reported = stepBack(reported, entry.inverse.reported, entry.metadataInverse?.reported);
    if ((entry.changes.desired || entry.changes.reported) && !entry.metadataInverse) metadataExact = false;
    at -= 1;
  }
  if (at !== version) return undefined;
  return { state: { ...current, tags, desired, reported, version }, metadataExact };
}

/** Replays log entries forward from `base` with the hub's own write rules (`applyTwinWrite`), as the reducer did. */
export function replayForward(base: TwinState, entries: readonly TwinHistoryEntry[]): TwinState {
  let twin = base;
  for (const entry of entries) {
    if (entry.version <= twin.version) continue;
    twin = applyTwinWrite(twin, entry.changes, entry.time);
  }
  return twin;
}

/** Appends an entry, keeping at most `limit` (oldest dropped). Returns a new array: records are replaced. */
export function appendHistory(log: readonly TwinHistoryEntry[] | undefined, entry: TwinHistoryEntry, limit: number): TwinHistoryEntry[] {
  if (limit <= 0) return [];
  const kept = log ?? [];
  const start = Math.max(0, kept.length + 1 - limit);
  return [...kept.slice(start), entry];
}

/**
 * The twin's content at `version`, or undefined when the log no longer reaches that far back (or the version is
 * in the future). `$version`s are those the sections had at that version.
 */
export function twinAtVersion(current: TwinState, log: readonly TwinHistoryEntry[], version: number): TwinAtVersion | undefined {
  const found = twinStateAtVersion(current, log, version);
  if (!found) return undefined;
  const { tags, desired, reported } = found.state;
  return {
    version,
    tags,
    desired: { ...desired.data, $version: desired.version },
    reported: { ...reported.data, $version: reported.version },
    ...(found.metadataExact ? { metadata: { desired: desired.metadata as unknown as JsonObject, reported: reported.metadata as unknown as JsonObject } } : {}),
  };
}

/** A section one write back: data and metadata inverses applied, `$version` - 1. */
function stepBack(section: TwinSection, inverse: JsonObject | undefined, metadataInverse: JsonObject | undefined): TwinSection {
  return {
    data: inverse ? applyMergePatch(section.data, inverse) : section.data,
    metadata: metadataInverse ? (applyMergePatch(metaOf(section), metadataInverse) as unknown as MetadataNode) : section.metadata,
    version: section.version - 1,
  };
}

function metaOf(section: TwinSection): JsonObject {
  return section.metadata as unknown as JsonObject;
}

/**
 * The merge-patch that turns `after` back into `before` (both JSON trees without nulls). Subtrees shared by
 * identity are skipped, so for copy-on-write trees (twin sections) it costs the size of the write.
 */
export function diffInverse(before: JsonObject, after: JsonObject): JsonObject {
  const patch: JsonObject = {};
  for (const key of Object.keys(after)) if (!Object.hasOwn(before, key)) setOwn(patch, key, null);
  for (const key of Object.keys(before)) {
    const old = getOwn(before, key) as JsonValue;
    const now = getOwn(after, key) as JsonValue | undefined;
    if (old === now) continue;
    if (Object.hasOwn(after, key) && isJsonObject(old) && isJsonObject(now)) {
      const sub = diffInverse(old, now);
      if (Object.keys(sub).length > 0) setOwn(patch, key, sub);
    } else if (!(now !== undefined && sameLeaf(old, now))) setOwn(patch, key, old);
  }
  return patch;
}

function sameLeaf(a: JsonValue, b: JsonValue): boolean {
  return a === b || (Array.isArray(a) && Array.isArray(b) && JSON.stringify(a) === JSON.stringify(b));
}

/** JSON merge-patch (RFC 7396) without metadata; returns a new object. Keys are data (`__proto__` too). */
export function applyMergePatch(target: JsonObject, patch: JsonObject): JsonObject {
  const result: JsonObject = { ...target };
  for (const key of Object.keys(patch)) {
    const value = getOwn(patch, key) as JsonValue;
    const existing = getOwn(result, key);
    if (value === null) delete result[key];
    else if (isJsonObject(value)) setOwn(result, key, applyMergePatch(isJsonObject(existing) ? existing : {}, value));
    else setOwn(result, key, value);
  }
  return result;
}

function partData(twin: TwinState, part: TwinPart): JsonObject {
  return part === 'tags' ? twin.tags : twin[part].data;
}

/** The merge-patch that undoes `patch` applied to `before`. */
function mergeInverse(before: JsonObject, patch: JsonObject): JsonObject {
  const inverse: JsonObject = {};
  for (const key of Object.keys(patch)) {
    const value = getOwn(patch, key) as JsonValue;
    const had = Object.hasOwn(before, key);
    const old = had ? (before[key] as JsonValue) : undefined;
    if (!had) {
      if (value !== null) setOwn(inverse, key, null);
      continue;
    }
    setOwn(inverse, key, isJsonObject(value) && isJsonObject(old) ? mergeInverse(old, value) : (old as JsonValue));
  }
  return inverse;
}

/** The merge-patch that turns `after` (a replacement) back into `before`. */
function replacementInverse(before: JsonObject, after: JsonObject): JsonObject {
  const inverse: JsonObject = {};
  for (const key of Object.keys(after)) if (!Object.hasOwn(before, key)) setOwn(inverse, key, null);
  for (const key of Object.keys(before)) setOwn(inverse, key, getOwn(before, key) as JsonValue);
  return inverse;
}
