import type { JsonObject } from '../../../emulator/model/json.js';
import type { TwinDocument } from '../../../main/contract/index.js';
import { applyMergePatch, deepEqual, isObject, mergePatch, withoutMeta } from './json-ops.js';
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
