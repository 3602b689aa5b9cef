import { describe, expect, it } from 'vitest';

import type { JsonValue } from '../../../../emulator/model/json.js';
import { checkTwinContent, checkTwinKey, findContentIssues, keyRuleBreak, utf8Length } from '../../../../emulator/rules/index.js';
import { createRandom } from '../../../../emulator/util/seeded-random.js';

// The std twin rules (emulator/rules/) shared by the hub and the studio's twin editor. The hub's wording is pinned
// by test/unit/emulator/twin/validate-patch.test.ts; the editor's by renderer/features/twin-editor/twin-rules.test.ts.

describe('utf8Length (std, no TextEncoder)', () => {
  it('counts as TextEncoder does, surrogate pairs and lone surrogates included', () => {
    const random = createRandom(7);
    const units = [0x41, 0x7f, 0x80, 0x7ff, 0x800, 0xd83d, 0xde00, 0xdbff, 0xdc00, 0xfffd, 0xffff];
    const encoder = new TextEncoder();
    for (let run = 0; run < 500; run++) {
      const text = String.fromCharCode(...Array.from({ length: Math.floor(random() * 8) }, () => units[Math.floor(random() * units.length)] ?? 0x41));
      expect(utf8Length(text), JSON.stringify(text)).toBe(encoder.encode(text).length);
    }
  });
});

describe('twin content rules', () => {
  it('names the rule a key breaks', () => {
    expect(keyRuleBreak('')).toEqual({ rule: 'emptyKey' });
    expect(keyRuleBreak('$x')).toEqual({ rule: 'reservedKey' });
    expect(keyRuleBreak('a b')).toEqual({ rule: 'keyCharacter', character: 'space' });
    expect(keyRuleBreak('a\u0085')).toEqual({ rule: 'keyCharacter', character: 'control' });
    expect(keyRuleBreak('k'.repeat(1025))).toEqual({ rule: 'keyTooLong' });
    expect(keyRuleBreak('ok')).toBeUndefined();
  });

  it('finds every issue in document order, keys before their values, or stops at the first', () => {
    const content: JsonValue = { 'a.b': { big: 2 ** 60 }, list: [1, 'x'.repeat(4097)] };
    expect(findContentIssues(content, { first: false }).map((issue) => [issue.path, issue.target, issue.broken.rule])).toEqual([
      [['a.b'], 'key', 'keyCharacter'],
      [['a.b', 'big'], 'value', 'integerRange'],
      [['list', 1], 'value', 'stringTooLong'],
    ]);
    expect(findContentIssues(content, { first: true })).toHaveLength(1);
  });

  it('words the first issue as the hub does, with the dotted path', () => {
    expect(checkTwinContent({ a: [{ 'b c': 1 }] }, 'properties.desired')).toEqual({
      message: "Invalid property name 'b c' at 'properties.desired.a[0].b c': names must not contain space.",
      path: 'properties.desired.a[0].b c',
    });
    expect(checkTwinKey('fine', 'p')).toBeUndefined();
  });
});
