import { describe, expect, it } from 'vitest';
import { lex } from '../../../../emulator/query/lexer.js';
import { compileQuery, parseQuery, print, quoteName, quotePath, quoteString } from '../../../../emulator/query/index.js';
import { runQuery } from './query-test-helpers.js';
import { createRandom } from '../../../../emulator/util/seeded-random.js';


describe('quoteString', () => {
  it('escapes quotes and backslashes', () => {
    expect(quoteString("O'Brien")).toBe("'O\\'Brien'");
    expect(quoteString('a\\b')).toBe("'a\\\\b'");
    expect(quoteString('say "hi"')).toBe("'say \"hi\"'");
    expect(quoteString('line\nbreak')).toBe("'line\\u000abreak'");
  });

  it('always lexes back to exactly the original string (1000 random strings)', () => {
    const random = createRandom(42);
    const alphabet = ["'", '"', '\\', 'a', 'Z', ' ', '\n', '\t', 'é', '😀', '\u0000', '\u007f', '\ud800', '\udc00', 'u', '0'];
    for (let n = 0; n < 1000; n++) {
      let value = '';
      const length = Math.floor(random() * 12);
      for (let i = 0; i < length; i++) value += alphabet[Math.floor(random() * alphabet.length)];
      const [token] = lex(quoteString(value));
      expect(token?.kind).toBe('string');
      expect(token?.value, JSON.stringify(value)).toBe(value);
    }
  });

  it('builds queries that match hostile ids exactly', () => {
    const id = "x' OR deviceId != '";
    const twins = [{ deviceId: id }, { deviceId: 'other' }];
    expect(runQuery(`SELECT * FROM devices WHERE deviceId = ${quoteString(id)}`, twins)).toEqual([{ deviceId: id }]);
  });
});

describe('quoteName and quotePath', () => {
  it('leaves plain identifiers alone and escapes reserved words and other names', () => {
    expect(quoteName('region')).toBe('region');
    expect(quoteName('$metadata')).toBe('$metadata');
    expect(quoteName('group')).toBe('[[group]]');
    expect(quoteName('Select')).toBe('[[Select]]');
    expect(quoteName('my-key')).toBe('[[my-key]]');
    expect(quoteName('1st')).toBe('[[1st]]');
    expect(quotePath(['tags', 'group', 'name'])).toBe('tags.[[group]].name');
  });

  it('refuses names no query can express', () => {
    for (const name of ['', 'a b', 'a.b', 'a]]b', "it's", 'tab\t']) expect(() => quoteName(name), name).toThrow(RangeError);
  });

  it('produces paths that parse back to the same segments', () => {
    const segments = ['tags', 'group', 'my-key', '1st', 'ok'];
    const ast = parseQuery(`SELECT * FROM devices WHERE ${quotePath(segments)} = 1`);
    expect(print(ast)).toBe('(query (select *) (from devices) (where (= tags.[[group]].[[my-key]].[[1st]].ok 1)))');
    const where = ast.where;
    expect(where?.kind === 'binary' && where.left.kind === 'path' ? where.left.segments : []).toEqual(segments);
    expect(() => compileQuery(`SELECT ${quotePath(['tags', 'from'])} FROM devices`)).not.toThrow();
  });
});
