import { describe, expect, it } from 'vitest';
import { QuerySyntaxError } from '../../../../emulator/query/errors.js';
import { lex, type Token } from '../../../../emulator/query/lexer.js';

const brief = (tokens: Token[]): [string, string | number, number, number][] =>
  tokens.map((t) => [t.kind, t.value, t.position, t.length]);

describe('The lexer', () => {
  it('gives every token its kind, value, position and length, and ends with an end token', () => {
    expect(brief(lex("SELECT * FROM devices WHERE tags.x >= 1.5"))).toEqual([
      ['keyword', 'SELECT', 0, 6], ['symbol', '*', 7, 1], ['keyword', 'FROM', 9, 4], ['identifier', 'devices', 14, 7],
      ['keyword', 'WHERE', 22, 5], ['identifier', 'tags', 28, 4], ['symbol', '.', 32, 1], ['identifier', 'x', 33, 1],
      ['symbol', '>=', 35, 2], ['number', 1.5, 38, 3], ['end', '', 41, 0],
    ]);
  });

  it('reads keywords case-insensitively and reports them upper-case', () => {
    expect(lex('select From wHeRe group by top as and or not in nin true false null undefined')
      .filter((t) => t.kind === 'keyword').map((t) => t.value))
      .toEqual(['SELECT', 'FROM', 'WHERE', 'GROUP', 'BY', 'TOP', 'AS', 'AND', 'OR', 'NOT', 'IN', 'NIN', 'TRUE', 'FALSE', 'NULL', 'UNDEFINED']);
  });

  it('keeps identifier case and accepts $ and _ in names', () => {
    expect(lex('DeviceId $metadata _x $lastUpdatedVersion').slice(0, 4).map((t) => [t.kind, t.value]))
      .toEqual([['identifier', 'DeviceId'], ['identifier', '$metadata'], ['identifier', '_x'], ['identifier', '$lastUpdatedVersion']]);
  });

  it('reads [[name]] as an escaped name that is never a keyword', () => {
    const [token] = lex('[[group]]');
    expect(token).toMatchObject({ kind: 'escapedName', value: 'group', position: 0, length: 9 });
    expect(lex('[[my-key]]')[0]).toMatchObject({ kind: 'escapedName', value: 'my-key' });
  });

  it('reads nested array brackets as brackets when the content cannot be a name', () => {
    expect(lex('[[1, 2], [3]]').map((t) => t.text).join(' ')).toBe('[ [ 1 , 2 ] , [ 3 ] ] ');
    expect(lex("[['a']]").map((t) => t.kind)).toEqual(['symbol', 'symbol', 'string', 'symbol', 'symbol', 'end']);
  });

  it('reads decimal, fractional, exponent and hex numbers', () => {
    expect(lex('0 42 3.25 1e3 2.5E-1 0x1F 0XfF').filter((t) => t.kind === 'number').map((t) => t.value))
      .toEqual([0, 42, 3.25, 1000, 0.25, 31, 255]);
  });

  it('decodes string escapes in single- and double-quoted strings', () => {
    const values = lex(String.raw`'it\'s' "say \"hi\"" 'a\\b' '\u0041\u00e9' "it's" 'x\ny\t\/'`)
      .filter((t) => t.kind === 'string').map((t) => t.value);
    expect(values).toEqual(["it's", 'say "hi"', 'a\\b', 'Aé', "it's", 'x\ny\t/']);
  });

  it('reads two-character operators before one-character ones', () => {
    expect(lex('<= >= <> != < > =').slice(0, -1).map((t) => t.value)).toEqual(['<=', '>=', '<>', '!=', '<', '>', '=']);
  });

  it('reports an unterminated string from its opening quote to the end', () => {
    const error = catchError(() => lex("x = 'abc"));
    expect(error).toMatchObject({ position: 4, length: 4, expected: ["'"] });
    expect(error.message).toBe("Syntax error at position 4: unterminated string (expected closing ')");
  });

  it('reports an invalid escape at the backslash', () => {
    expect(catchError(() => lex("'a\\qb'"))).toMatchObject({ position: 2, length: 2 });
    expect(catchError(() => lex("'\\u12'")).message).toContain("invalid escape sequence '\\u12''");
  });

  it('reports an unexpected character', () => {
    expect(catchError(() => lex('deviceId # 1'))).toMatchObject({
      position: 9, length: 1, message: "Syntax error at position 9: unexpected character '#'",
    });
  });

  it('reports a number glued to letters as one invalid number', () => {
    expect(catchError(() => lex('x = 12abc'))).toMatchObject({ position: 4, length: 5, expected: ['number'] });
    expect(catchError(() => lex('x = 0x'))).toMatchObject({ position: 4, length: 2 });
  });
});

function catchError(run: () => unknown): QuerySyntaxError {
  try {
    run();
  } catch (error) {
    if (error instanceof QuerySyntaxError) return error;
    throw error;
  }
  throw new Error('expected a QuerySyntaxError');
}
