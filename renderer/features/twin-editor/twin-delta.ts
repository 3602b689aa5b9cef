import type { JsonObject, JsonValue } from '../../../emulator/model/json.js';
import { deepEqual, isObject, withoutMeta } from './json-ops.js';

/** A desired value the device has not (yet) reported back. */
export interface DeltaEntry {
  readonly path: readonly string[];
  readonly desired: JsonValue;
  /** Undefined when the device reports nothing at this path. */
  readonly reported: JsonValue | undefined;
}

/**
 * Desired leaves whose reported counterpart differs or is missing: what the device has not applied yet, under the
 * common convention that a device acknowledges a desired property by reporting the same key and value.
 * Objects are descended; arrays and primitives are compared whole.
 */
export function twinDelta(desiredSection: JsonValue | undefined, reportedSection: JsonValue | undefined): DeltaEntry[] {
  return walk(withoutMeta(desiredSection), withoutMeta(reportedSection), []);
}

function walk(desired: JsonObject, reported: JsonObject | undefined, path: readonly string[]): DeltaEntry[] {
  const entries: DeltaEntry[] = [];
  for (const [key, value] of Object.entries(desired)) {
    const there = reported && Object.hasOwn(reported, key) ? reported[key] : undefined;
    const at = [...path, key];
    if (isObject(value) && Object.keys(value).length > 0) {
      entries.push(...walk(value, isObject(there) ? there : undefined, at));
    } else if (!deepEqual(value, there)) {
      entries.push({ path: at, desired: value, reported: there });
    }
  }
  return entries;
}
