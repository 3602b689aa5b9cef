import type { JsonObject, JsonValue } from '../model/json.js';
import { isJsonObject } from '../model/json.js';
import type { MetadataNode, TwinSection } from '../model/twin.js';
import { getOwn, hasOwnKey, setOwn } from '../util/own-keys.js';

// JSON merge-patch of one twin section with `$metadata` upkeep (iothub-protocol.md §4.3, §7.2, §7.4):
// objects merge recursively, any other value replaces, null deletes, arrays are atomic.
// Every node the patch touches, and every ancestor of it, gets the write's `$lastUpdated`;
// desired nodes also get `$lastUpdatedVersion`. Deleted keys lose their metadata node.
// Keys are outside data: `__proto__`, `constructor` and `prototype` are legal twin keys (§7.3 forbids only `$`, `.`,
// space and control characters) and are stored as plain own properties (util/own-keys.ts), never followed.

/** Options of one section write. */
export interface SectionWrite {
  /** ISO-8601 time of the write, captured once per request (house-style H11). */
  readonly now: string;
  /** Whether metadata nodes carry `$lastUpdatedVersion` (desired only). */
  readonly trackVersion: boolean;
}

/** A fresh section: `$version` 1 and a root metadata node (fresh twin shape, §7.2). */
export function freshSection(now: string, trackVersion: boolean): TwinSection {
  return { data: {}, metadata: metaLeaf(now, trackVersion ? 1 : undefined), version: 1 };
}

/**
 * Applies a merge patch and returns the new section (version + 1). The input section is not modified: records are
 * replaced, never mutated, so the old section stays valid for whoever still holds it (the committed state, a view,
 * the change log). Copy-on-write: only the objects on the patch's paths are copied; untouched subtrees are shared
 * with the old section, so a write costs the size of the patch, not of the section.
 */
export function mergeSection(section: TwinSection, patch: JsonObject, write: SectionWrite): TwinSection {
  const version = section.version + 1;
  const stamp = write.trackVersion ? version : undefined;
  // Spread copies own properties only and defines them as data, `__proto__` included (see util/own-keys.ts).
  const data: JsonObject = { ...section.data };
  const metadata: MetadataNode = { ...section.metadata };
  mergeInto(data, metadata, patch, write.now, stamp);
  return { data, metadata, version };
}

/** Replaces the whole section content (service `PUT /twins`), version + 1, all metadata stamped now. */
export function replaceSection(section: TwinSection, content: JsonObject, write: SectionWrite): TwinSection {
  const version = section.version + 1;
  const stamp = write.trackVersion ? version : undefined;
  const data = structuredClone(content);
  return { data, metadata: buildMetadata(data, write.now, stamp), version };
}

function mergeInto(
  target: JsonObject,
  meta: MetadataNode,
  patch: JsonObject,
  now: string,
  stamp: number | undefined,
): void {
  touch(meta, now, stamp);
  for (const key of Object.keys(patch)) {
    const value = getOwn(patch, key) as JsonValue;
    if (value === null) {
      // Deleting a missing key creates nothing (§4.3, checklist 33).
      delete target[key];
      delete meta[key];
      continue;
    }
    if (isJsonObject(value)) {
      const existing = getOwn(target, key);
      const existingMeta = getOwn(meta, key);
      // An object replaces a scalar, and `{"x":{"y":null}}` on a missing x creates `"x":{}` (checklist 34-35).
      const child: JsonObject = isJsonObject(existing) ? { ...existing } : {};
      const childMeta: MetadataNode =
        isJsonObject(existing) && isMetadataNode(existingMeta) ? { ...existingMeta } : metaLeaf(now, stamp);
      setOwn(target, key, child);
      setOwn(meta, key, childMeta);
      mergeInto(child, childMeta, value, now, stamp);
      continue;
    }
    setOwn(target, key, Array.isArray(value) ? structuredClone(value) : value);
    setOwn(meta, key, metaLeaf(now, stamp));
  }
}

/** Metadata for a whole new subtree: every object node and leaf gets the same stamp. */
export function buildMetadata(value: JsonObject, now: string, stamp: number | undefined): MetadataNode {
  const node = metaLeaf(now, stamp);
  for (const key of Object.keys(value)) {
    const child = getOwn(value, key) as JsonValue;
    setOwn(node, key, isJsonObject(child) ? buildMetadata(child, now, stamp) : metaLeaf(now, stamp));
  }
  return node;
}

function metaLeaf(now: string, stamp: number | undefined): MetadataNode {
  return stamp === undefined ? { $lastUpdated: now } : { $lastUpdated: now, $lastUpdatedVersion: stamp };
}

function touch(meta: MetadataNode, now: string, stamp: number | undefined): void {
  meta.$lastUpdated = now;
  if (stamp !== undefined) meta.$lastUpdatedVersion = stamp;
}

function isMetadataNode(value: unknown): value is MetadataNode {
  return typeof value === 'object' && value !== null && '$lastUpdated' in value;
}

/**
 * The notification body for a desired change that replaced the section: the new content plus `null` for every
 * top-level key that disappeared (Node and Python merge notifications into a cached copy, §4.4).
 */
export function replacementDelta(before: JsonObject, after: JsonObject): JsonObject {
  const delta: JsonObject = {};
  for (const key of Object.keys(before)) if (!hasOwnKey(after, key)) setOwn(delta, key, null);
  for (const key of Object.keys(after)) setOwn(delta, key, getOwn(after, key) as JsonValue);
  return delta;
}
