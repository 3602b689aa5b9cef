import type { TwinDocument } from '../../../main/contract/index.js';

/**
 * The twin version the user last looked at, per device, for "what changed since" (kept for the session; the
 * twin panel records it when first shown and when the user marks the changes as seen or saves).
 */
const seen = new Map<string, TwinDocument>();

/** The version last seen, if any. */
export function lastSeen(deviceId: string): TwinDocument | undefined {
  return seen.get(deviceId);
}

/** Records `twin` as seen. */
export function markSeen(twin: TwinDocument): void {
  seen.set(twin.deviceId, twin);
}

/** Forgets everything (tests). */
export function forgetSeen(): void {
  seen.clear();
}
