import { describe, expect, it } from 'vitest';

import { decodeBase64Key, generateSymmetricKey, isValidBase64Key } from '../../../../emulator/auth/key.js';

describe('generateSymmetricKey', () => {
  it('returns 32 random bytes in base64, different each time', () => {
    const a = generateSymmetricKey();
    const b = generateSymmetricKey();
    expect(Buffer.from(a, 'base64')).toHaveLength(32);
    expect(a).toHaveLength(44);
    expect(a).not.toBe(b);
    expect(isValidBase64Key(a)).toBe(true);
  });
});

describe('isValidBase64Key', () => {
  it.each([
    ['', false],
    ['not base64!', false],
    ['AAAA', false], // 3 bytes: below the 16-byte minimum
    [Buffer.alloc(16).toString('base64'), true],
    [Buffer.alloc(64).toString('base64'), true],
    [Buffer.alloc(65).toString('base64'), false],
    [Buffer.alloc(32).toString('base64').slice(0, -1), false], // padding removed
    [`${Buffer.alloc(32, 1).toString('base64').slice(0, -2)}B=`, false], // non-canonical trailing bits
    [` ${Buffer.alloc(32).toString('base64')}`, false],
    [Buffer.alloc(32, 0xfb).toString('base64url'), false],
  ])('%j is %s', (text, valid) => {
    expect(isValidBase64Key(text)).toBe(valid);
  });

  it('honours custom bounds', () => {
    expect(isValidBase64Key('AAAA', { minBytes: 1 })).toBe(true);
    expect(isValidBase64Key(Buffer.alloc(32).toString('base64'), { maxBytes: 16 })).toBe(false);
  });
});

describe('decodeBase64Key', () => {
  it('decodes padded and unpadded keys and refuses empty or non-base64 text', () => {
    expect(decodeBase64Key('AAAA')).toEqual(Buffer.alloc(3));
    expect(decodeBase64Key('AAA')).toEqual(Buffer.alloc(2));
    expect(decodeBase64Key('')).toBeUndefined();
    expect(decodeBase64Key('a b')).toBeUndefined();
    expect(decodeBase64Key('==')).toBeUndefined();
  });
});
