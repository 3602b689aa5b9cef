import type { TwinDocument } from '../../../main/contract/index.js';
import { refOf, twinKey } from './twin-key.js';

/**
 * The twin version the user last looked at, per device or module twin (keyed by `twinKey`), for "what changed
 * since" (kept for the session; the twin panel records it when first shown and when the user marks the changes as
 * seen or saves).
 */
const seen = new Map<string, TwinDocument>();

/** The version last seen, if any. */
export function lastSeen(key: string): TwinDocument | undefined {
  return seen.get(key);
}

/** Records `twin` as seen. */
export function markSeen(twin: TwinDocument): void {
  seen.set(twinKey(refOf(twin)), twin);
}

/** Forgets everything (tests). */
export function forgetSeen(): void {
  seen.clear();
}
