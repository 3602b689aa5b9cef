import { describe, expect, it } from 'vitest';
import { parseQuery, print, QuerySyntaxError } from '../../../../emulator/query/index.js';

const PRINTED: readonly [string, string][] = [
  ['SELECT * FROM devices', '(query (select *) (from devices))'],
  ['select top 10 * from devices.modules', '(query (select (top 10) *) (from devices.modules))'],
  ["SELECT * FROM devices WHERE tags.location.region = 'US'",
    "(query (select *) (from devices) (where (= tags.location.region 'US')))"],
  ['SELECT DeviceId, LastActivityTime FROM devices',
    '(query (select DeviceId LastActivityTime) (from devices))'],
  ['SELECT properties.reported.telemetryConfig.status AS status, COUNT() AS numberOfDevices FROM devices GROUP BY properties.reported.telemetryConfig.status',
    '(query (select (as properties.reported.telemetryConfig.status status) (as (COUNT) numberOfDevices)) (from devices) (group-by properties.reported.telemetryConfig.status))'],
  ['SELECT AVG(properties.reported.t), max(version) FROM devices',
    '(query (select (AVG properties.reported.t) (MAX version)) (from devices))'],
  ["SELECT * FROM devices WHERE tags.[[group]].name = 'some_value'",
    "(query (select *) (from devices) (where (= tags.[[group]].name 'some_value')))"],
  ["SELECT * FROM devices WHERE a = 1 OR b = 2 AND c = 3",
    '(query (select *) (from devices) (where (or (= a 1) (and (= b 2) (= c 3)))))'],
  ["SELECT * FROM devices WHERE (a = 1 OR b = 2) AND NOT c = 3",
    '(query (select *) (from devices) (where (and (or (= a 1) (= b 2)) (not (= c 3)))))'],
  ['SELECT * FROM devices WHERE a + b * c - d / e % f >= -g',
    '(query (select *) (from devices) (where (>= (- (+ a (* b c)) (% (/ d e) f)) (neg g))))'],
  ['SELECT * FROM devices WHERE x <> -5 AND y != +0x10',
    '(query (select *) (from devices) (where (and (!= x -5) (!= y 16))))'],
  ["SELECT * FROM devices WHERE x IN ['a', \"b\", 1, -2.5, true, null, undefined, []] AND y NIN [[1], [ [2] ]]",
    "(query (select *) (from devices) (where (and (in x (array 'a' 'b' 1 -2.5 true null undefined (array))) (nin y (array (array 1) (array (array 2)))))))"],
  ["SELECT * FROM devices WHERE is_defined(properties.reported.connectivity) AND STARTSWITH(deviceId, 'a\\'b')",
    "(query (select *) (from devices) (where (and (IS_DEFINED properties.reported.connectivity) (STARTSWITH deviceId 'a\\'b'))))"],
  ['SELECT * FROM devices WHERE NOT NOT x', '(query (select *) (from devices) (where (not (not x))))'],
  ['SELECT * FROM devices WHERE x = NULL', '(query (select *) (from devices) (where (= x null)))'],
  ["SELECT deviceId AS [[from]] FROM devices", '(query (select (as deviceId [[from]])) (from devices))'],
  ['SELECT * FROM devices WHERE properties.desired.$metadata.$lastUpdated > \'2024\'',
    "(query (select *) (from devices) (where (> properties.desired.$metadata.$lastUpdated '2024')))"],
  ['SELECT * FROM devices.jobs WHERE devices.jobs.jobType = \'x\'',
    "(query (select *) (from devices.jobs) (where (= devices.jobs.jobType 'x')))"],
];

describe('The parser', () => {
  for (const [text, expected] of PRINTED) {
    it(`prints ${text}`, () => expect(print(parseQuery(text))).toBe(expected));
  }

  it('re-parses its own printed paths and literals to the same AST', () => {
    const ast = parseQuery("SELECT * FROM devices WHERE tags.[[group]].[[my-key]] = 'it\\'s \\u00e9'");
    const where = ast.where;
    expect(where?.kind).toBe('binary');
    if (where?.kind !== 'binary') return;
    const again = parseQuery(`SELECT * FROM devices WHERE ${print(where.left)} = ${print(where.right)}`);
    expect(print(again)).toBe(print(ast));
  });

  it('records spans that cover the source text of each node', () => {
    const text = "SELECT deviceId AS id FROM devices WHERE tags.x IN ['a'] GROUP BY tags.y";
    const ast = parseQuery(text);
    const slice = (span: { position: number; length: number }): string => text.slice(span.position, span.position + span.length);
    expect(slice(ast)).toBe(text);
    expect(slice(ast.select)).toBe('SELECT deviceId AS id');
    expect(slice(ast.select.projections[0] ?? ast)).toBe('deviceId AS id');
    expect(slice(ast.from)).toBe('devices');
    expect(slice(ast.where ?? ast)).toBe("tags.x IN ['a']");
    expect(slice(ast.groupBy ?? ast)).toBe('tags.y');
  });

  it('keeps the AST as plain data that survives JSON', () => {
    const ast = parseQuery("SELECT * FROM devices WHERE x = 'a'");
    expect(JSON.parse(JSON.stringify(ast))).toEqual(ast);
  });
});

interface ErrorCase {
  readonly text: string;
  readonly position: number;
  readonly length: number;
  readonly expected: readonly string[];
  readonly message?: string;
  readonly contains?: string;
}

const ERRORS: readonly ErrorCase[] = [
  { text: 'SELECT * FORM devices', position: 9, length: 4, expected: ['FROM'], message: "Syntax error at position 9: expected FROM but found 'FORM'" },
  { text: 'SELECT deviceId FORM devices', position: 16, length: 4, expected: ['.', 'AS', ',', 'FROM'], message: "Syntax error at position 16: expected '.', AS, ',' or FROM but found 'FORM'" },
  { text: 'SELEC * FROM devices', position: 0, length: 5, expected: ['SELECT'] },
  { text: 'SELECT * FROM devices WHERE', position: 27, length: 0, expected: ['NOT', '-', '+', '(', 'path', 'constant', 'function call', '['], message: 'Syntax error at position 27: expected an expression but found end of query' },
  { text: 'SELECT * FROM devices WHERE x = 1 y', position: 34, length: 1, expected: ['*', '/', '%', '+', '-', '=', '!=', '<>', '<', '>', '<=', '>=', 'IN', 'NIN', 'AND', 'OR', 'GROUP BY', 'end of query'], message: "Syntax error at position 34: expected an operator, IN, NIN, AND, OR, GROUP BY or end of query but found 'y'" },
  { text: 'SELECT * FROM devices WHERE (x = 1', position: 34, length: 0, expected: ['*', '/', '%', '+', '-', '=', '!=', '<>', '<', '>', '<=', '>=', 'IN', 'NIN', 'AND', 'OR', ')'], contains: "expected an operator, IN, NIN, AND, OR or ')' but found end of query" },
  { text: 'SELECT FROM devices', position: 7, length: 4, expected: ['TOP', '*', 'path'] },
  { text: 'SELECT TOP 1.5 * FROM devices', position: 11, length: 3, expected: ['integer'] },
  { text: 'SELECT TOP -1 * FROM devices', position: 11, length: 1, expected: ['integer'] },
  { text: 'SELECT * FROM devices GROUP deviceId', position: 28, length: 8, expected: ['BY'] },
  { text: 'SELECT * FROM devices ORDER BY deviceId', position: 22, length: 5, expected: ['.', 'WHERE', 'GROUP BY', 'end of query'], contains: '(ORDER BY is not supported by IoT Hub queries)' },
  { text: "SELECT * FROM devices WHERE x = 'a' ORDER BY deviceId", position: 36, length: 5, expected: [], contains: 'ORDER BY is not supported' },
  { text: 'SELECT DISTINCT deviceId FROM devices', position: 7, length: 8, expected: [], message: 'Syntax error at position 7: DISTINCT is not supported by IoT Hub queries' },
  { text: 'SELECT * FROM devices JOIN devices.modules', position: 22, length: 4, expected: [], contains: 'JOIN is not supported' },
  { text: 'SELECT * FROM (SELECT * FROM devices)', position: 14, length: 1, expected: ['collection'], contains: 'sub-queries are not supported' },
  { text: "SELECT * FROM devices WHERE tags.group.name = 'x'", position: 33, length: 5, expected: ['name'], contains: 'escape the property name as [[group]]' },
  { text: 'SELECT * FROM devices WHERE x IN [a]', position: 34, length: 1, expected: ['constant', '[', ']', '-', '+'] },
  { text: 'SELECT *, deviceId FROM devices', position: 8, length: 1, expected: ['FROM'] },
  { text: 'SELECT * FROM devices WHERE x = = 1', position: 32, length: 1, expected: [] },
  { text: 'SELECT * FROM devices WHERE COUNT(*) > 1', position: 34, length: 1, expected: [] },
];

describe('Syntax errors', () => {
  for (const row of ERRORS) {
    it(`locate the problem in ${row.text}`, () => {
      let caught: unknown;
      try {
        parseQuery(row.text);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(QuerySyntaxError);
      const error = caught as QuerySyntaxError;
      expect({ position: error.position, length: error.length }).toEqual({ position: row.position, length: row.length });
      if (row.expected.length > 0) expect([...error.expected].sort()).toEqual([...row.expected].sort());
      if (row.message !== undefined) expect(error.message).toBe(row.message);
      if (row.contains !== undefined) expect(error.message).toContain(row.contains);
      expect(error.message).toMatch(new RegExp(`^Syntax error at position ${row.position}: `));
    });
  }

  it('refuses queries longer than 8192 characters at the first character past the limit', () => {
    const text = `SELECT * FROM devices WHERE deviceId = '${'x'.repeat(9000)}'`;
    expect(() => parseQuery(text)).toThrow(QuerySyntaxError);
    try {
      parseQuery(text);
    } catch (error) {
      expect(error).toMatchObject({ position: 8192, length: text.length - 8192 });
      expect((error as Error).message).toBe(`Query is too long: ${text.length} characters, the maximum is 8192`);
    }
  });

  it('accepts a query of exactly 8192 characters', () => {
    const head = "SELECT * FROM devices WHERE deviceId = '";
    const text = head + 'x'.repeat(8192 - head.length - 1) + "'";
    expect(text).toHaveLength(8192);
    expect(() => parseQuery(text)).not.toThrow();
  });
});
