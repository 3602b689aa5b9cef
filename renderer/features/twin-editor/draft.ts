import type { JsonObject, JsonValue } from '../../../emulator/model/json.js';
import type { TwinDocument } from '../../../main/contract/index.js';
import { applyMergePatch, deepEqual, isObject, mergePatch, withoutMeta } from './json-ops.js';
import { readDraft, writeDraft } from './draft-store.js';
import { refOf, twinKey } from './twin-key.js';
import { describeIssue, validateSection } from './twin-rules.js';

/** What the user is editing: the twin it started from (its etag is sent on save) and the two texts. */
export interface TwinDraft {
  readonly base: TwinDocument;
  readonly tags: string;
  readonly desired: string;
}

/** The editable sections of a twin as text. */
export function draftOf(twin: TwinDocument): TwinDraft {
  return { base: twin, tags: pretty(twin.tags ?? {}), desired: pretty(withoutMeta(twin.properties.desired)) };
}

/** Two-space JSON. */
export function pretty(value: JsonObject): string {
  return JSON.stringify(value, null, 2);
}

/** A parsed section or the reason it cannot be parsed. */
type Parsed = { ok: true; value: JsonObject } | { ok: false; message: string };

function parse(text: string, section: 'tags' | 'desired'): Parsed {
  try {
    const value: unknown = JSON.parse(text);
    return isObject(value) ? { ok: true, value } : { ok: false, message: `${section}: must be a JSON object.` };
  } catch (error) {
    return { ok: false, message: `${section}: ${error instanceof Error ? error.message : 'not valid JSON'}` };
  }
}

/** Everything the editor shows about a draft. */
export interface DraftAnalysis {
  readonly dirty: boolean;
  readonly problems: readonly string[];
  /** The PATCH to send (tags and/or desired), when the draft is dirty and valid. */
  readonly patch?: { tags?: JsonObject; desired?: JsonObject };
}

/** Parses, validates against the hub's rules and diffs a draft against its base (house-style H18: dirty && valid). */
export function analyseDraft(draft: TwinDraft): DraftAnalysis {
  const tags = parse(draft.tags, 'tags');
  const desired = parse(draft.desired, 'desired');
  const problems: string[] = [];
  if (!tags.ok) problems.push(tags.message);
  else problems.push(...validateSection(tags.value, 'tags').map((issue) => describeIssue('tags', issue)));
  if (!desired.ok) problems.push(desired.message);
  else problems.push(...validateSection(desired.value, 'desired').map((issue) => describeIssue('desired', issue)));
  if (!tags.ok || !desired.ok) return { dirty: true, problems };
  const baseTags = draft.base.tags ?? {};
  const baseDesired = withoutMeta(draft.base.properties.desired);
  const dirty = !deepEqual(baseTags, tags.value) || !deepEqual(baseDesired, desired.value);
  if (!dirty || problems.length > 0) return { dirty, problems };
  const tagsPatch = mergePatch(baseTags, tags.value);
  const desiredPatch = mergePatch(baseDesired, desired.value);
  return {
    dirty,
    problems,
    patch: {
      ...(Object.keys(tagsPatch).length > 0 ? { tags: tagsPatch } : {}),
      ...(Object.keys(desiredPatch).length > 0 ? { desired: desiredPatch } : {}),
    },
  };
}

/** Re-applies the user's changes (base → draft) on top of a newer twin: the "merge" answer to a 412. */
export function rebaseDraft(draft: TwinDraft, latest: TwinDocument): TwinDraft {
  const analysis = analyseDraft(draft);
  if (!analysis.patch) return { ...draftOf(latest), tags: draft.tags, desired: draft.desired };
  const tags = applyMergePatch(latest.tags ?? {}, analysis.patch.tags ?? {});
  const desired = applyMergePatch(withoutMeta(latest.properties.desired), analysis.patch.desired ?? {});
  return { base: latest, tags: pretty(tags), desired: pretty(desired) };
}

/** A key the user changed that someone else also changed since the user's base version. */
export interface DraftConflict {
  readonly section: 'tags' | 'desired';
  readonly path: readonly string[];
  /** The user's value (undefined: the user deleted it). */
  readonly mine: JsonValue | undefined;
  /** The hub's value now (undefined: deleted on the hub). */
  readonly theirs: JsonValue | undefined;
}

function valueAt(section: JsonValue | undefined, path: readonly string[]): JsonValue | undefined {
  let node: JsonValue | undefined = section;
  for (const key of path) {
    if (!isObject(node) || !Object.hasOwn(node, key)) return undefined;
    node = node[key];
  }
  return node;
}

function leaves(patch: JsonObject, path: readonly string[] = []): { path: string[]; value: JsonValue }[] {
  return Object.entries(patch).flatMap(([key, value]) =>
    isObject(value) && Object.keys(value).length > 0 ? leaves(value, [...path, key]) : [{ path: [...path, key], value }],
  );
}

function sectionOf(twin: TwinDocument, section: 'tags' | 'desired'): JsonObject {
  return section === 'tags' ? (twin.tags ?? {}) : withoutMeta(twin.properties.desired);
}

/**
 * True when the sections a patch writes are the same in `latest` as in `base`: then a 412 was caused by another
 * section (a device reporting, say) and the patch can be sent again with the newer etag. Desired has its own
 * `$version`; tags have none, so they are compared by value.
 */
export function editedSectionsUnchanged(base: TwinDocument, latest: TwinDocument, patch: NonNullable<DraftAnalysis['patch']>): boolean {
  if (patch.tags !== undefined && !deepEqual(base.tags ?? {}, latest.tags ?? {})) return false;
  if (patch.desired !== undefined && base.properties.desired.$version !== latest.properties.desired.$version) return false;
  return true;
}

/** The keys the user changed (base → draft) whose hub value changed too (base → latest). */
export function draftConflicts(draft: TwinDraft, latest: TwinDocument): DraftConflict[] {
  const { patch } = analyseDraft(draft);
  if (!patch) return [];
  const conflicts: DraftConflict[] = [];
  for (const section of ['tags', 'desired'] as const) {
    const sectionPatch = patch[section];
    if (!sectionPatch) continue;
    const before = sectionOf(draft.base, section);
    const now = sectionOf(latest, section);
    for (const leaf of leaves(sectionPatch)) {
      const was = valueAt(before, leaf.path);
      const theirs = valueAt(now, leaf.path);
      const mine = leaf.value === null ? undefined : leaf.value;
      if (!deepEqual(was, theirs) && !deepEqual(mine, theirs)) conflicts.push({ section, path: leaf.path, mine, theirs });
    }
  }
  return conflicts;
}

/** The draft with one conflicting key set to the hub's value (or removed when the hub has none). */
export function takeTheirs(draft: TwinDraft, conflict: DraftConflict): TwinDraft {
  let parsed: unknown;
  try {
    parsed = JSON.parse(draft[conflict.section]);
  } catch {
    return draft;
  }
  if (!isObject(parsed)) return draft;
  const root: JsonObject = structuredClone(parsed);
  let node: JsonObject = root;
  for (const key of conflict.path.slice(0, -1)) {
    const next = node[key];
    if (!isObject(next)) node[key] = {};
    node = node[key] as JsonObject;
  }
  const last = conflict.path.at(-1) as string;
  if (conflict.theirs === undefined) delete node[last];
  else node[last] = conflict.theirs;
  return { ...draft, [conflict.section]: pretty(root) };
}

function sectionDirty(text: string, base: JsonObject): boolean {
  try {
    return !deepEqual(JSON.parse(text) as JsonValue, base);
  } catch {
    return true;
  }
}

/** The draft the user left for this device or module twin (per section), or the twin itself. */
export function restoreDraft(twin: TwinDocument): TwinDraft {
  const key = twinKey(refOf(twin));
  const tags = readDraft(key, 'tags');
  const desired = readDraft(key, 'desired');
  const base = desired?.base ?? tags?.base;
  if (!base) return draftOf(twin);
  const fresh = draftOf(base);
  return { base, tags: tags?.text ?? fresh.tags, desired: desired?.text ?? fresh.desired };
}

/** Keeps the dirty sections of a draft (and forgets the clean ones) so they survive leaving the view. */
export function persistDraft(draft: TwinDraft): void {
  const id = twinKey(refOf(draft.base));
  for (const section of ['tags', 'desired'] as const) {
    const text = draft[section];
    writeDraft(id, section, sectionDirty(text, sectionOf(draft.base, section)) ? { text, base: draft.base } : undefined);
  }
}
