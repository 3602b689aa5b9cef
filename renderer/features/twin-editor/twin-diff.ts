import type { JsonObject, JsonValue } from '../../../emulator/model/json.js';
import { deepEqual, isObject, withoutMeta } from './json-ops.js';

/** One difference between two versions of a twin section. */
export interface Change {
  readonly path: readonly string[];
  readonly kind: 'added' | 'removed' | 'changed';
  readonly before?: JsonValue;
  readonly after?: JsonValue;
}

/** Leaf-level differences between two JSON objects (objects are descended, arrays compared whole). */
export function diffJson(before: JsonObject, after: JsonObject, path: readonly string[] = []): Change[] {
  const changes: Change[] = [];
  for (const key of Object.keys(before)) {
    if (!Object.hasOwn(after, key)) changes.push({ path: [...path, key], kind: 'removed', before: before[key] });
  }
  for (const [key, value] of Object.entries(after)) {
    const old = Object.hasOwn(before, key) ? before[key] : undefined;
    if (old === undefined) changes.push({ path: [...path, key], kind: 'added', after: value });
    else if (isObject(old) && isObject(value)) changes.push(...diffJson(old, value, [...path, key]));
    else if (!deepEqual(old, value)) changes.push({ path: [...path, key], kind: 'changed', before: old, after: value });
  }
  return changes;
}

/** The parts of a service twin the diff looks at. */
export interface TwinLike {
  readonly version?: number;
  readonly tags?: JsonObject;
  readonly properties?: { readonly desired?: JsonObject; readonly reported?: JsonObject };
}

/** What changed in each section between a version seen earlier and the current one (metadata ignored). */
export interface TwinDiff {
  readonly fromVersion: number | undefined;
  readonly toVersion: number | undefined;
  readonly tags: Change[];
  readonly desired: Change[];
  readonly reported: Change[];
}

/** Diff of two service twins, section by section. */
export function diffTwins(seen: TwinLike, current: TwinLike): TwinDiff {
  return {
    fromVersion: seen.version,
    toVersion: current.version,
    tags: diffJson(seen.tags ?? {}, current.tags ?? {}),
    desired: diffJson(withoutMeta(seen.properties?.desired), withoutMeta(current.properties?.desired)),
    reported: diffJson(withoutMeta(seen.properties?.reported), withoutMeta(current.properties?.reported)),
  };
}

/** True when a diff has no changes at all. */
export function isEmptyDiff(diff: TwinDiff): boolean {
  return diff.tags.length + diff.desired.length + diff.reported.length === 0;
}
