// Deterministic randomness (std code): the same seed gives the same sequence on every run and machine, so
// simulations, property tests, fuzz campaigns and benchmark data are repeatable. Not for anything security related.

/** A source of uniformly distributed numbers in [0, 1). */
export type Random = () => number;

/** FNV-1a over the UTF-16 code units of `text`: a small, stable 32-bit hash to derive seeds from names. */
export function hashSeed(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/**
 * mulberry32: 32 bits of state, full period 2^32, good enough statistics for simulated sensor values and test data,
 * and far cheaper than a cryptographic generator (the load generator draws one per operation for 10,000 devices).
 */
export function createRandom(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
