import { describe, expect, it } from 'vitest';

import { checkKey, checkSectionSize, sectionSize, validateSectionContent } from '../../../../emulator/twin/validate-patch.js';

describe('twin key and value rules (§7.3)', () => {
  it.each([
    ['$version', /reserved/],
    ['a.b', /'\.'/],
    ['a b', /space/],
    ['tab\there', /control/],
    ['c1\u0085', /control/],
    ['', /empty/],
    ['k'.repeat(1025), /1024 bytes/],
  ])('rejects the key %j', (key, message) => {
    expect(checkKey(key, 'p')?.message).toMatch(message);
    expect(checkKey(key, 'p')?.errorCode).toBe(400004);
  });

  it.each(['temperature', 'ünïcödé', 'with-dash_and:colon', 'k'.repeat(1024)])('accepts the key %j', (key) => {
    expect(checkKey(key, 'p')).toBeUndefined();
  });

  it('counts a 4096-byte UTF-8 string as allowed and 4097 as too long, by bytes not characters', () => {
    expect(validateSectionContent({ s: 'x'.repeat(4096) }, 'r')).toBeUndefined();
    expect(validateSectionContent({ s: 'x'.repeat(4097) }, 'r')?.message).toMatch(/4096/);
    expect(validateSectionContent({ s: 'é'.repeat(2049) }, 'r')?.message).toMatch(/4096/);
  });

  it('accepts the integer bounds and fractional numbers, and rejects integral values beyond them', () => {
    expect(validateSectionContent({ n: 4503599627370495, m: -4503599627370496, f: 1.5e-300, g: 123.456 }, 'r')).toBeUndefined();
    // After JSON.parse, 1e300 and a 301-digit integer literal are the same number; both count as integers here.
    expect(validateSectionContent({ n: 1e300 }, 'r')).toBeDefined();
    expect(validateSectionContent({ n: 4503599627370496 }, 'r')).toBeDefined();
    expect(validateSectionContent({ n: -4503599627370497 }, 'r')).toBeDefined();
  });

  it('counts arrays as nesting levels and checks keys inside arrays', () => {
    expect(validateSectionContent({ a: [{ $bad: 1 }] }, 'r')?.message).toMatch(/\$bad/);
    let deep: unknown = 1;
    for (let i = 0; i < 11; i++) deep = [deep];
    expect(validateSectionContent({ a: deep } as never, 'r')?.message).toMatch(/nested deeper/);
  });

  it('names the offending path in the message', () => {
    expect(validateSectionContent({ outer: { 'in ner': 1 } }, 'properties.reported')?.message).toContain('properties.reported.outer.in ner');
  });

  it('sizes sections the hub way: keys and strings by UTF-8 length, numbers 8, booleans 4, null 0', () => {
    expect(sectionSize({ ab: 'xyz', n: 1, t: true, z: null, o: { k: [1, 'é'] } })).toBe(2 + 3 + 1 + 8 + 1 + 4 + 1 + 0 + 1 + 1 + 8 + 2);
  });

  it('limits tags to 8 KB and desired/reported to 32 KB', () => {
    const tags = Object.fromEntries(Array.from({ length: 3 }, (_, i) => [`k${i}`, 'v'.repeat(3000)]));
    expect(checkSectionSize(tags, 'tags')?.message).toMatch(/8192/);
    expect(checkSectionSize(tags, 'desired')).toBeUndefined();
  });
});
