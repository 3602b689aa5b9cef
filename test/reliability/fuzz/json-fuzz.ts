import type { Prng } from '../support/prng.js';

// Random JSON bodies for twin patches and REST calls: well-formed values that break the twin rules
// (iothub-protocol.md §7.3, §10) as often as ones that keep them, plus text that is not JSON at all.

const KEY_CHARS = 'abcXYZ019_-$. \u0000\u001f\u00e9\u4e2d😀#/\\"';
const TEXT_CHARS = 'abc xyz 019 \n\t\\"\u0000\u2028é中😀';

function key(rng: Prng): string {
  if (rng.chance(0.7)) return `k${rng.int(0, 50)}`;
  if (rng.chance(0.1)) return 'x'.repeat(rng.int(1000, 1200));
  return rng.text(rng.int(0, 8), KEY_CHARS);
}

function scalar(rng: Prng): unknown {
  switch (rng.int(0, 9)) {
    case 0:
      return null;
    case 1:
      return rng.chance(0.5);
    case 2:
      return rng.int(-1000, 1000);
    case 3:
      return rng.pick([4503599627370495, 4503599627370496, -4503599627370496, 1e308, -0, 0.1, 2 ** 53]);
    case 4:
      return 'v'.repeat(rng.pick([0, 1, 4095, 4096, 4097, 9000]));
    case 5:
      return rng.text(rng.int(0, 20), TEXT_CHARS);
    case 6:
      return [];
    case 7:
      return Array.from({ length: rng.int(0, 4) }, () => scalar(rng));
    default:
      return rng.int(0, 100);
  }
}

/** A random JSON value; objects nest up to `depth` levels (the hub allows 10). */
export function jsonValue(rng: Prng, depth = rng.int(0, 13)): unknown {
  if (depth <= 0 || rng.chance(0.25)) return scalar(rng);
  const object: Record<string, unknown> = {};
  const keys = rng.int(0, 5);
  for (let i = 0; i < keys; i++) object[key(rng)] = jsonValue(rng, depth - 1);
  return object;
}

/** A nested object exactly `depth` levels deep. */
export function deepObject(depth: number): unknown {
  let value: unknown = 1;
  for (let i = 0; i < depth; i++) value = { [`l${i}`]: value };
  return value;
}

/** Text a device or service client might send as a JSON body: usually JSON, sometimes broken, sometimes huge. */
export function jsonText(rng: Prng): string {
  const roll = rng.int(0, 19);
  if (roll === 0) return '';
  if (roll === 1) return rng.pick(['{', '{"a":', '{"a":1,}', "{'a':1}", '{"a":NaN}', '{"a":1}garbage', '\ufeff{"a":1}', '/*x*/{}', 'null', '[]', '"text"', '1e9999']);
  if (roll === 2) return JSON.stringify(deepObject(rng.int(9, 40)));
  if (roll === 3) return JSON.stringify({ big: 'b'.repeat(rng.pick([30_000, 33_000, 70_000])) });
  if (roll === 4) return JSON.stringify({ $version: rng.int(0, 9), a: 1 });
  if (roll === 5) return rng.bytes(rng.int(1, 64)).toString('latin1');
  const value = jsonValue(rng);
  return JSON.stringify(rng.chance(0.8) && (typeof value !== 'object' || value === null || Array.isArray(value)) ? { v: value } : value) ?? '';
}
