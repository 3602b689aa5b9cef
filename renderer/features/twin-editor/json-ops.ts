import type { JsonObject, JsonValue } from '../../../emulator/model/json.js';

/** True for a plain JSON object (not an array, not null). */
export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Structural equality of JSON values (key order ignored, arrays ordered). */
export function deepEqual(a: JsonValue | undefined, b: JsonValue | undefined): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((item, i) => deepEqual(item, b[i]));
  if (isObject(a) && isObject(b)) {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((key) => Object.hasOwn(b, key) && deepEqual(a[key], b[key]));
  }
  return false;
}

/** A properties section without the hub's `$metadata` and `$version` (what a user edits and compares). */
export function withoutMeta(section: JsonValue | undefined): JsonObject {
  if (!isObject(section)) return {};
  const { $metadata: _metadata, $version: _version, ...rest } = section;
  return rest;
}

/**
 * The JSON merge patch (RFC 7386, the semantics of a twin PATCH, iothub-protocol.md §7.4) that turns `base` into
 * `target`: changed keys with their new value, objects recursively, removed keys (and explicit nulls) as `null`.
 */
export function mergePatch(base: JsonObject, target: JsonObject): JsonObject {
  const patch: JsonObject = {};
  for (const key of Object.keys(base)) {
    if (!Object.hasOwn(target, key)) patch[key] = null;
  }
  for (const [key, value] of Object.entries(target)) {
    const before = Object.hasOwn(base, key) ? base[key] : undefined;
    if (isObject(value) && isObject(before)) {
      const inner = mergePatch(before, value);
      if (Object.keys(inner).length > 0) patch[key] = inner;
    } else if (!deepEqual(before, value)) {
      patch[key] = value;
    }
  }
  return patch;
}

/** Applies a merge patch: objects merge recursively, `null` deletes, anything else replaces. */
export function applyMergePatch(target: JsonObject, patch: JsonObject): JsonObject {
  const result: JsonObject = { ...target };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else if (isObject(value)) {
      const current = result[key];
      result[key] = applyMergePatch(isObject(current) ? current : {}, value);
    } else result[key] = value;
  }
  return result;
}

/** Human-readable path: `desired.firmware.version`, `tags.list[2]`. */
export function formatPath(path: readonly (string | number)[]): string {
  return path.reduce<string>((text, segment) => (typeof segment === 'number' ? `${text}[${segment}]` : text ? `${text}.${segment}` : segment), '');
}
