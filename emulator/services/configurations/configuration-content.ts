import type { ConfigurationRecord } from '../../model/configuration.js';
import { isJsonObject, type JsonObject, type JsonValue } from '../../model/json.js';
import { getOwn, setOwn } from '../../util/own-keys.js';

/** One desired property a configuration sets: the path below `properties.desired` and its value. */
export interface DesiredAssignment {
  readonly path: readonly string[];
  /** `path.join('.')`: configurations compete for the same key (iothub-protocol-2.md §8.3 step 2). */
  readonly key: string;
  readonly value: JsonValue;
}

/** Which twins a configuration's content is for. */
export type ContentTarget = 'devices' | 'modules' | 'edge';

/** The twins a configuration writes: device twins, module twins, or (edge deployments) none here. */
export function contentTarget(record: Pick<ConfigurationRecord, 'content'>): ContentTarget {
  if (record.content.deviceContent !== undefined) return 'devices';
  if (record.content.moduleContent !== undefined) return 'modules';
  return 'edge';
}

/**
 * The desired properties a device or module content sets (§8.2): `properties.desired.<a>.<b>` → that leaf or
 * section; `properties.desired` → each of its top-level keys.
 */
export function desiredAssignments(record: Pick<ConfigurationRecord, 'content'>): DesiredAssignment[] {
  const content = record.content.deviceContent ?? record.content.moduleContent ?? {};
  const assignments: DesiredAssignment[] = [];
  for (const [key, value] of Object.entries(content)) {
    const path = key.split('.').slice(2);
    if (path.length === 0) {
      if (isJsonObject(value)) for (const [name, inner] of Object.entries(value)) assignments.push({ path: [name], key: name, value: inner });
      continue;
    }
    assignments.push({ path, key: path.join('.'), value });
  }
  return assignments;
}

/** The value at `path` in a desired section, or undefined. */
export function valueAt(desired: JsonObject, path: readonly string[]): JsonValue | undefined {
  let node: JsonValue | undefined = desired;
  for (const name of path) {
    if (!isJsonObject(node)) return undefined;
    node = getOwn(node, name);
  }
  return node;
}

/** Sets `path` in a merge patch under construction (creating the objects on the way). */
export function setPath(patch: JsonObject, path: readonly string[], value: JsonValue): void {
  let node = patch;
  for (const name of path.slice(0, -1)) {
    const next = getOwn(node, name);
    if (isJsonObject(next)) node = next;
    else {
      const created: JsonObject = {};
      setOwn(node, name, created);
      node = created;
    }
  }
  const last = path.at(-1);
  if (last !== undefined) setOwn(node, last, value);
}

/** True when applying `value` (JSON merge-patch semantics) at `path` would leave `current` unchanged. */
export function alreadyApplied(current: JsonValue | undefined, value: JsonValue): boolean {
  if (value === null) return current === undefined;
  if (isJsonObject(value)) {
    if (!isJsonObject(current)) return false;
    return Object.entries(value).every(([name, inner]) => alreadyApplied(getOwn(current, name), inner));
  }
  return JSON.stringify(current) === JSON.stringify(value);
}
