import type { SectionChange } from './changes.js';
import type { JsonObject } from './json.js';

/** Which part of a twin a write touched. */
export type TwinPart = 'tags' | 'desired' | 'reported';

/**
 * One entry of a twin's change log (kept per twin, bounded, persisted): the write as applied, who made it, and the
 * inverse patches that turn the twin after this write back into the twin before it (time travel).
 */
export interface TwinHistoryEntry {
  /** Twin `version` after the write. */
  readonly version: number;
  readonly time: string;
  /** `device:d1`, `service:iothubowner`, `studio`, `job:<id>`, `hub` (see `principalName`). */
  readonly writer: string;
  readonly changes: Partial<Record<TwinPart, SectionChange>>;
  /** Per touched part: the merge-patch that restores the part's previous content (null = key was absent). */
  readonly inverse: Partial<Record<TwinPart, JsonObject>>;
  /** `$version` of desired and reported after the write. */
  readonly desiredVersion: number;
  readonly reportedVersion: number;
  /**
   * Per touched properties section: the merge-patch that restores the section's previous `$metadata` tree. Entries
   * written before it existed lack it; the twin at a version before such an entry has no `$metadata`.
   */
  readonly metadataInverse?: Partial<Record<'desired' | 'reported', JsonObject>>;
}

/** A twin's content at one version, rebuilt from the change log. */
export interface TwinAtVersion {
  readonly version: number;
  readonly tags: JsonObject;
  readonly desired: JsonObject & { $version: number };
  readonly reported: JsonObject & { $version: number };
  /** The sections' `$metadata` at that version; absent when an entry on the way back predates metadata inverses. */
  readonly metadata?: { readonly desired: JsonObject; readonly reported: JsonObject };
}
