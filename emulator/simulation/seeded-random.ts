// Deterministic randomness for simulations: the same profile, seed and device id give the same values on every run,
// so tests (and demos) are repeatable. Not for anything security related.

import { createRandom, hashSeed, type Random } from '../util/seeded-random.js';

export { createRandom, hashSeed, type Random };

/**
 * An independent stream per (seed, device, purpose): each generator owns its stream, so the values of one property
 * do not change when another property is added or when timers interleave differently.
 */
export function randomFor(seed: number, deviceId: string, purpose: string): Random {
  return createRandom(hashSeed(`${seed}|${deviceId}|${purpose}`));
}
