import { describe, expect, it } from 'vitest';

import { checkDeviceId, checkIfMatch, normaliseEtag } from '../../../../emulator/services/identity-rules.js';

describe('identity rules (§10, §7.5)', () => {
  it.each(['dev1', "a-b.c%d_e*f?g!h(i)j,k:l=m@n$o'p", 'x'.repeat(128)])('accepts the device id %j', (id) => {
    expect(checkDeviceId(id)).toBeUndefined();
  });

  it.each(['', 'a+b', 'a#b', 'a/b', 'a b', 'é', 'x'.repeat(129)])('rejects the device id %j with 400', (id) => {
    expect(checkDeviceId(id)?.httpStatus).toBe(400);
  });

  it('treats absent, * and "*" as wildcards and compares quoted or weak etags', () => {
    expect(checkIfMatch(undefined, 'AAA=')).toBeUndefined();
    expect(checkIfMatch('*', 'AAA=')).toBeUndefined();
    expect(checkIfMatch('"*"', 'AAA=')).toBeUndefined();
    expect(checkIfMatch('"AAA="', 'AAA=')).toBeUndefined();
    expect(checkIfMatch('W/"AAA="', 'AAA=')).toBeUndefined();
    expect(checkIfMatch('"abc"', 'AAA=')?.httpStatus).toBe(412);
    expect(normaliseEtag(' W/"x" ')).toBe('x');
  });
});
