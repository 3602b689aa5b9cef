import type { JsonObject } from '../../emulator/model/json.js';
import type { TwinDocument } from '../../main/contract/index.js';
import { applyMergePatch } from '../features/twin-editor/json-ops.js';

/** The twin sections and versions a device or module of the fake API keeps (fake-client.ts, fake-modules.ts). */
export interface FakeTwin {
  tags: JsonObject;
  desired: JsonObject;
  reported: JsonObject;
  version: number;
  desiredVersion: number;
  reportedVersion: number;
}

/** A new twin: empty sections, every version 1. */
export function emptyFakeTwin(): FakeTwin {
  return { tags: {}, desired: {}, reported: {}, version: 1, desiredVersion: 1, reportedVersion: 1 };
}

/** `$metadata` as the hub writes it, for the top-level keys (desired ones with `$lastUpdatedVersion`). */
function metadataOf(section: JsonObject, desiredVersion?: number): JsonObject {
  const stamp = { $lastUpdated: '2026-01-01T00:00:00Z', ...(desiredVersion !== undefined ? { $lastUpdatedVersion: desiredVersion } : {}) };
  const metadata: JsonObject = { ...stamp };
  for (const key of Object.keys(section)) metadata[key] = { ...stamp };
  return metadata;
}

/** The tags and properties of a twin document as the hub returns them (copies, with `$metadata` and `$version`). */
export function twinSections(twin: FakeTwin): Pick<TwinDocument, 'tags' | 'properties'> {
  return {
    tags: structuredClone(twin.tags),
    properties: {
      desired: { ...structuredClone(twin.desired), $metadata: metadataOf(twin.desired, twin.desiredVersion), $version: twin.desiredVersion },
      reported: { ...structuredClone(twin.reported), $metadata: metadataOf(twin.reported), $version: twin.reportedVersion },
    },
  };
}

/** Applies a studio twin patch (`null` empties a section) and says which sections it changed. */
export function applyFakeTwinPatch(twin: FakeTwin, patch: { readonly tags?: JsonObject | null; readonly desired?: JsonObject | null }): ('tags' | 'desired')[] {
  const sections: ('tags' | 'desired')[] = [];
  if (patch.tags !== undefined) {
    twin.tags = patch.tags === null ? {} : applyMergePatch(twin.tags, patch.tags);
    sections.push('tags');
  }
  if (patch.desired !== undefined) {
    twin.desired = patch.desired === null ? {} : applyMergePatch(twin.desired, patch.desired);
    twin.desiredVersion += 1;
    sections.push('desired');
  }
  return sections;
}
