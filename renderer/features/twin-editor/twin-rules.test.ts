import { describe, expect, it } from 'vitest';

import { TWIN_LIMITS } from '../../../emulator/rules/index.js';
import { sectionSize, validateSection } from './twin-rules.js';

function nested(depth: number): Record<string, unknown> {
  let value: Record<string, unknown> = { leaf: 1 };
  for (let i = depth; i > 1; i--) value = { [`level${i}`]: value };
  return { level1: value };
}

describe('twin content rules (iothub-protocol.md §7.3)', () => {
  it('accepts ordinary tags and desired properties', () => {
    expect(validateSection({ location: { building: 'B1', floor: 3 }, list: [1, 'two', { three: true }] }, 'tags')).toEqual([]);
  });

  it('rejects names starting with $ and names with $ . space or control characters, pointing at the key', () => {
    const issues = validateSection({ $foo: 1, 'a.b': 1, 'has space': 1, ok: { 'x\u0001': 1, pri$ce: 2 } }, 'desired');
    expect(issues.map((issue) => [issue.path.join('/'), issue.target])).toEqual([
      ['$foo', 'key'], ['a.b', 'key'], ['has space', 'key'], ['ok/x\u0001', 'key'], ['ok/pri$ce', 'key'],
    ]);
    expect(issues[0]?.message).toContain("'$'");
  });

  it('accepts ten levels of nested objects below the root and rejects eleven', () => {
    expect(validateSection(nested(10), 'desired')).toEqual([]);
    const issues = validateSection(nested(11), 'desired');
    expect(issues).toHaveLength(1);
    expect(issues[0]?.message).toContain('deeper than 10');
  });

  it('rejects strings over 4 KB and integers outside ±2^52', () => {
    const issues = validateSection({ text: 'x'.repeat(TWIN_LIMITS.maxStringBytes + 1), big: 4503599627370496, fine: 4503599627370495 }, 'desired');
    expect(issues.map((issue) => issue.path[0])).toEqual(['text', 'big']);
  });

  it('counts section size as the hub does and enforces 8 KB tags / 32 KB desired', () => {
    expect(sectionSize({ ab: 'xyz', n: 1, b: true, z: null })).toBe(2 + 3 + 1 + 8 + 1 + 4 + 1);
    const big = Object.fromEntries(Array.from({ length: 3 }, (_, i) => [`k${i}`, 'x'.repeat(3000)]));
    expect(validateSection(big, 'tags').at(-1)?.message).toMatch(/tags section is \d+ bytes; the limit is 8192/);
    expect(validateSection(big, 'desired')).toEqual([]);
  });

  it('requires a JSON object at the root', () => {
    expect(validateSection([1, 2], 'tags')[0]?.message).toBe('The tags section must be a JSON object.');
  });
});
