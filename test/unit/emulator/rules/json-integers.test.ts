import { describe, expect, it } from 'vitest';

import { findOutOfRangeInteger } from '../../../../emulator/rules/json-integers.js';

describe('integer literals outside ±2^52 in JSON text (iothub-protocol.md §7.3)', () => {
  it.each([
    ['{"a":4503599627370496}', '4503599627370496', 5],
    ['[1,-4503599627370497]', '-4503599627370497', 3],
    ['{"x":"9","y":{"z":[0,123456789012345678901]}}', '123456789012345678901', 21],
    ['{"a":-0000004503599627370496}', undefined, 0],
  ])('finds %s', (text, literal, position) => {
    const found = findOutOfRangeInteger(text);
    if (literal === undefined) expect(found).toBeUndefined();
    else expect(found).toEqual({ literal, position });
  });

  it.each(['{"f":1.0e16}', '{"f":1E300}', '{"f":-4.5e15}', '{"s":"4503599627370496"}', '{"s":"\\"4503599627370496"}', '{"edge":4503599627370495,"low":-4503599627370496}', '[]'])(
    'accepts %s',
    (text) => expect(findOutOfRangeInteger(text)).toBeUndefined(),
  );
});
