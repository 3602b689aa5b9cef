import type { SectionChange } from '../model/changes.js';
import type { JsonObject, JsonValue } from '../model/json.js';
import type { TwinState } from '../model/twin.js';
import type { TwinPart } from '../model/twin-history.js';
import { mergeSection, replaceSection, replacementDelta } from './merge-section.js';
import { checkSectionSize } from './validate-patch.js';

// The twin write rules (iothub-protocol.md §7.4), pure: one place computes `$version`, `$metadata` and the desired
// notification for device twins and module twins alike, and the store's replay runs the same `applyTwinWrite`.

/** The sections one write touches, each merged or replaced. */
export type TwinWriteParts = Partial<Record<TwinPart, SectionChange>>;

/** A validated write: the new twin, what it did per section, and the desired notification (if any). */
export interface PlannedTwinWrite {
  readonly twin: TwinState;
  readonly parts: TwinWriteParts;
  /** Applied desired change + `$version`, for the device (§4.4); undefined when desired was not touched. */
  readonly notification?: JsonObject;
}

/** The parts of a service twin PATCH/PUT the hub acts on. `undefined` = untouched, `null` = clear. */
export interface ServiceTwinBody {
  readonly tags: JsonObject | null | undefined;
  readonly desired: JsonObject | null | undefined;
}

/**
 * Applies a write without validating it: +1 twin `version`, +1 `$version` of each properties section touched.
 * The service validated the write before (`planServiceWrite`, `planReportedPatch`); replay trusts the journal.
 */
export function applyTwinWrite(twin: TwinState, parts: TwinWriteParts, time: string): TwinState {
  let { tags, desired, reported } = twin;
  if (parts.tags) tags = parts.tags.mode === 'replace' ? structuredClone(parts.tags.patch) : mergeTags(tags, parts.tags.patch, time);
  if (parts.desired) {
    const write = { now: time, trackVersion: true };
    desired = parts.desired.mode === 'replace' ? replaceSection(desired, parts.desired.patch, write) : mergeSection(desired, parts.desired.patch, write);
  }
  if (parts.reported) {
    const write = { now: time, trackVersion: false };
    reported = parts.reported.mode === 'replace' ? replaceSection(reported, parts.reported.patch, write) : mergeSection(reported, parts.reported.patch, write);
  }
  return { ...twin, tags, desired, reported, version: twin.version + 1 };
}

/** Service PATCH (`merge`) or PUT (`replace`) of tags and desired. Throws 400 on invalid content or size. */
export function planServiceWrite(twin: TwinState, body: ServiceTwinBody, mode: 'merge' | 'replace', time: string): PlannedTwinWrite {
  const parts: { tags?: SectionChange; desired?: SectionChange } = {};
  const request = mode === 'replace' ? { tags: body.tags ?? null, desired: body.desired ?? null } : body;
  if (request.tags !== undefined) parts.tags = sectionChange(request.tags, mode);
  if (request.desired !== undefined) parts.desired = sectionChange(request.desired, mode);
  if (!parts.tags && !parts.desired) return { twin, parts };
  const next = applyTwinWrite(twin, parts, time);
  if (parts.tags) throwIf(checkSectionSize(next.tags, 'tags'));
  if (!parts.desired) return { twin: next, parts };
  throwIf(checkSectionSize(next.desired.data, 'desired'));
  const delta = parts.desired.mode === 'replace' ? replacementDelta(twin.desired.data, next.desired.data) : parts.desired.patch;
  return { twin: next, parts, notification: { ...delta, $version: next.desired.version } };
}

/** Device reported PATCH (content validated at the edge, `parseReportedPatch`): merge, +1 reported `$version`; 400 on size. */
export function planReportedPatch(twin: TwinState, patch: JsonObject, time: string): PlannedTwinWrite {
  const parts = { reported: { mode: 'merge', patch } as const };
  const next = applyTwinWrite(twin, parts, time);
  throwIf(checkSectionSize(next.reported.data, 'reported'));
  return { twin: next, parts };
}

function sectionChange(content: JsonObject | null, mode: 'merge' | 'replace'): SectionChange {
  return content === null || mode === 'replace' ? { mode: 'replace', patch: content ?? {} } : { mode: 'merge', patch: content };
}

function throwIf(error: Error | undefined): void {
  if (error) throw error;
}

function mergeTags(tags: JsonObject, patch: JsonObject, now: string): JsonObject {
  // Tags have no $metadata; the section merge is reused with a throwaway metadata root.
  const merged = mergeSection({ data: tags, metadata: { $lastUpdated: now }, version: 0 }, patch, { now, trackVersion: false });
  return merged.data as Record<string, JsonValue>;
}
