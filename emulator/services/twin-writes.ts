import { argumentInvalid } from '../errors/catalogue.js';
import type { JsonObject, JsonValue } from '../model/json.js';
import { isJsonObject } from '../model/json.js';
import type { TwinState } from '../model/twin.js';
import { mergeSection, replaceSection, replacementDelta } from '../twin/merge-section.js';
import { checkSectionSize, validateSectionContent } from '../twin/validate-patch.js';
import type { ServiceTwinBody } from './service-twin-body.js';

// The twin write rules (iothub-protocol.md §7.4), pure and shared by device twins (TwinService) and module twins
// (ModuleService), so `$version`, `$metadata` and the desired notification are computed in exactly one place.

/** The outcome of a service-side write: the new twin, what changed, and the desired notification (if any). */
export interface ServiceWrite {
  readonly twin: TwinState;
  readonly sections: readonly ('tags' | 'desired')[];
  /** Applied desired change + `$version`, for the device (§4.4); undefined when desired was not touched. */
  readonly notification?: JsonObject;
}

/** Service PATCH (`merge`) or PUT (`replace`) of tags and desired. Throws 400 on invalid content or size. */
export function applyServiceWrite(twin: TwinState, body: ServiceTwinBody, mode: 'merge' | 'replace', now: string): ServiceWrite {
  const sections: ('tags' | 'desired')[] = [];
  let tags = twin.tags;
  let desired = twin.desired;
  let delta: JsonObject | undefined;
  if (body.tags !== undefined) {
    tags = body.tags === null || mode === 'replace' ? structuredClone(body.tags ?? {}) : mergeTags(tags, body.tags, now);
    const sizeError = checkSectionSize(tags, 'tags');
    if (sizeError) throw sizeError;
    sections.push('tags');
  }
  if (body.desired !== undefined) {
    const write = { now, trackVersion: true };
    if (body.desired === null || mode === 'replace') {
      desired = replaceSection(twin.desired, body.desired ?? {}, write);
      delta = replacementDelta(twin.desired.data, desired.data);
    } else {
      desired = mergeSection(twin.desired, body.desired, write);
      delta = body.desired;
    }
    const sizeError = checkSectionSize(desired.data, 'desired');
    if (sizeError) throw sizeError;
    sections.push('desired');
  }
  if (sections.length === 0) return { twin, sections };
  const next: TwinState = { ...twin, tags, desired, version: twin.version + 1 };
  return delta ? { twin: next, sections, notification: { ...delta, $version: desired.version } } : { twin: next, sections };
}

/** Device reported PATCH: merge, +1 reported `$version`. Throws 400 on invalid content or size. */
export function applyReportedPatch(twin: TwinState, patch: unknown, now: string): TwinState {
  if (!isJsonObject(patch)) throw argumentInvalid('The reported properties patch must be a JSON object.');
  const error = validateSectionContent(patch, 'properties.reported');
  if (error) throw error;
  const reported = mergeSection(twin.reported, patch, { now, trackVersion: false });
  const sizeError = checkSectionSize(reported.data, 'reported');
  if (sizeError) throw sizeError;
  return { ...twin, reported, version: twin.version + 1 };
}

function mergeTags(tags: JsonObject, patch: JsonObject, now: string): JsonObject {
  // Tags have no $metadata; the section merge is reused with a throwaway metadata root.
  const merged = mergeSection({ data: tags, metadata: { $lastUpdated: now }, version: 0 }, patch, {
    now,
    trackVersion: false,
  });
  return merged.data as Record<string, JsonValue>;
}
