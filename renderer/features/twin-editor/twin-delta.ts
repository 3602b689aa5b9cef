import type { JsonObject, JsonValue } from '../../../emulator/model/json.js';
import { deepEqual, isObject, withoutMeta } from './json-ops.js';

/** Why a desired value is listed: nothing reported, a different value, or an IoT Plug and Play ack that is not a success (yet). */
export type DeltaState = 'missing' | 'different' | 'pending' | 'rejected';

/** A desired value the device has not (yet) reported back. */
export interface DeltaEntry {
  readonly path: readonly string[];
  readonly desired: JsonValue;
  /** Undefined when the device reports nothing at this path; for a Plug and Play ack, its `value`. */
  readonly reported: JsonValue | undefined;
  readonly state: DeltaState;
  /** A Plug and Play ack (`{ value, ac, av, ad }`): its code, the desired `$version` it answers, its description. */
  readonly ack?: { readonly code: number; readonly version: number; readonly description?: string };
}

interface Ack {
  readonly value: JsonValue | undefined;
  readonly code: number;
  readonly version: number;
  readonly description?: string;
}

/** The IoT Plug and Play writable-property ack: `{ value, ac, av, ad? }` with numeric `ac` and `av`. */
function ackOf(reported: JsonValue | undefined): Ack | undefined {
  if (!isObject(reported) || typeof reported.ac !== 'number' || typeof reported.av !== 'number') return undefined;
  return {
    value: Object.hasOwn(reported, 'value') ? reported.value : undefined,
    code: reported.ac,
    version: reported.av,
    ...(typeof reported.ad === 'string' ? { description: reported.ad } : {}),
  };
}

/**
 * Desired leaves the device has not applied. Two conventions are understood:
 * - the plain mirror: the device reports the same key with the same value (objects descended, arrays and primitives
 *   compared whole); a missing or different value is listed;
 * - IoT Plug and Play acks: the device reports `{ value, ac, av, ad }`, `av` being the desired `$version` it
 *   answers. Acknowledged = `av` ≥ the desired `$version` and `ac` 2xx other than 202/203 (not listed); `av` older or
 *   `ac` 202/203 (in progress) = pending; `ac` ≥ 400 = rejected.
 */
export function twinDelta(desiredSection: JsonValue | undefined, reportedSection: JsonValue | undefined): DeltaEntry[] {
  const version = isObject(desiredSection) && typeof desiredSection.$version === 'number' ? desiredSection.$version : undefined;
  return walk(withoutMeta(desiredSection), withoutMeta(reportedSection), [], version);
}

function walk(desired: JsonObject, reported: JsonObject | undefined, path: readonly string[], version: number | undefined): DeltaEntry[] {
  const entries: DeltaEntry[] = [];
  for (const [key, value] of Object.entries(desired)) {
    const there = reported && Object.hasOwn(reported, key) ? reported[key] : undefined;
    const at = [...path, key];
    const ack = ackOf(there);
    if (ack) {
      const state = ackState(ack, value, version);
      if (state) {
        entries.push({
          path: at, desired: value, reported: ack.value, state,
          ack: { code: ack.code, version: ack.version, ...(ack.description ? { description: ack.description } : {}) },
        });
      }
    } else if (isObject(value) && Object.keys(value).length > 0) {
      entries.push(...walk(value, isObject(there) ? there : undefined, at, version));
    } else if (!deepEqual(value, there)) {
      entries.push({ path: at, desired: value, reported: there, state: there === undefined ? 'missing' : 'different' });
    }
  }
  return entries;
}

function ackState(ack: Ack, desired: JsonValue, version: number | undefined): DeltaState | undefined {
  if (version !== undefined && ack.version < version) return 'pending';
  if (ack.code >= 400) return 'rejected';
  if (ack.code === 202 || ack.code === 203) return 'pending';
  if (ack.code >= 200 && ack.code < 300) return deepEqual(ack.value, desired) ? undefined : 'different';
  return 'pending';
}
