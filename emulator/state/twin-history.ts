import type { SectionChange, TwinWritten } from '../model/changes.js';
import type { JsonObject, JsonValue } from '../model/json.js';
import { isJsonObject } from '../model/json.js';
import { principalName } from '../model/request-context.js';
import type { TwinState } from '../model/twin.js';
import type { TwinAtVersion, TwinHistoryEntry, TwinPart } from '../model/twin-history.js';
import { getOwn, setOwn } from '../util/own-keys.js';

// The twin change log: one entry per accepted twin write, with the inverse patches that undo it, so the twin at
// any version still in the log is the current twin with the inverses of every later entry applied, newest first.

const PARTS: readonly TwinPart[] = ['tags', 'desired', 'reported'];

/** The log entry for a write, computed from the twin as it was before the write. */
export function historyEntry(before: TwinState, change: TwinWritten): TwinHistoryEntry {
  const changes: Partial<Record<TwinPart, SectionChange>> = {};
  const inverse: Partial<Record<TwinPart, JsonObject>> = {};
  for (const part of PARTS) {
    const write = change[part];
    if (!write) continue;
    changes[part] = write;
    const old = partData(before, part);
    inverse[part] = write.mode === 'replace' ? replacementInverse(old, write.patch) : mergeInverse(old, write.patch);
  }
  return {
    version: change.version,
    time: change.time,
    writer: principalName(change.writer),
    changes,
    inverse,
    desiredVersion: change.desiredVersion,
    reportedVersion: change.reportedVersion,
  };
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
  if (version > current.version || version < 1) return undefined;
  let tags: JsonObject = current.tags;
  let desired: JsonObject = current.desired.data;
  let reported: JsonObject = current.reported.data;
  let desiredVersion = current.desired.version;
  let reportedVersion = current.reported.version;
  let at = current.version;
  for (let i = log.length - 1; i >= 0 && at > version; i--) {
    const entry = log[i];
    if (!entry || entry.version !== at) return undefined;
    if (entry.inverse.tags) tags = applyMergePatch(tags, entry.inverse.tags);
    if (entry.inverse.desired) desired = applyMergePatch(desired, entry.inverse.desired);
    if (entry.inverse.reported) reported = applyMergePatch(reported, entry.inverse.reported);
    if (entry.changes.desired) desiredVersion -= 1;
    if (entry.changes.reported) reportedVersion -= 1;
    at -= 1;
  }
  if (at !== version) return undefined;
  return { version, tags, desired: { ...desired, $version: desiredVersion }, reported: { ...reported, $version: reportedVersion } };
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
