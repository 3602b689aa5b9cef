import { describe, expect, it } from 'vitest';
import {
  checkQuery, compileQuery, QuerySemanticError, type QueryError,
} from '../../../../emulator/query/index.js';

interface SemanticCase {
  readonly text: string;
  readonly error: typeof QuerySemanticError;
  /** The text the error must underline. */
  readonly span: string;
  readonly message: string;
}

const CASES: readonly SemanticCase[] = [
  { text: 'SELECT * FROM devices.jobs GROUP BY status', error: QuerySemanticError, span: 'status', message: 'GROUP BY is only supported with FROM devices' },
  { text: 'SELECT * FROM sensors', error: QuerySemanticError, span: 'sensors', message: "Unknown collection 'sensors': expected devices, devices.modules or devices.jobs" },
  { text: 'SELECT * FROM devices.twins', error: QuerySemanticError, span: 'devices.twins', message: "Unknown collection 'devices.twins': expected devices, devices.modules or devices.jobs" },
  { text: 'SELECT * FROM devices WHERE FOO(deviceId) = 1', error: QuerySemanticError, span: 'FOO', message: "Unknown function 'FOO'" },
  { text: 'SELECT * FROM devices WHERE SUM(version) > 1', error: QuerySemanticError, span: 'SUM', message: 'Aggregate SUM can only be used in SELECT, not in WHERE' },
  { text: 'SELECT * FROM devices WHERE STARTSWITH(deviceId)', error: QuerySemanticError, span: 'STARTSWITH(deviceId)', message: 'STARTSWITH expects 2 arguments but got 1' },
  { text: 'SELECT * FROM devices WHERE CONCAT(deviceId) = \'x\'', error: QuerySemanticError, span: 'CONCAT(deviceId)', message: 'CONCAT expects at least 2 arguments but got 1' },
  { text: "SELECT * FROM devices WHERE STARTSWITH(deviceId, 5)", error: QuerySemanticError, span: '5', message: 'Argument 2 of STARTSWITH must be a string, not number' },
  { text: "SELECT * FROM devices WHERE ABS('x') = 1", error: QuerySemanticError, span: "'x'", message: 'Argument 1 of ABS must be a number, not string' },
  { text: 'SELECT IS_DEFINED(tags.x) FROM devices', error: QuerySemanticError, span: 'IS_DEFINED', message: 'IS_DEFINED cannot be used in SELECT; only the aggregates COUNT, AVG, SUM, MIN and MAX can' },
  { text: 'SELECT COUNT(deviceId) AS n FROM devices', error: QuerySemanticError, span: 'COUNT(deviceId)', message: 'COUNT takes no arguments: write COUNT()' },
  { text: 'SELECT AVG() AS n FROM devices', error: QuerySemanticError, span: 'AVG()', message: 'AVG expects exactly one property path, e.g. AVG(properties.reported.x)' },
  { text: 'SELECT MAX(version + 1) AS n FROM devices', error: QuerySemanticError, span: 'MAX(version + 1)', message: 'MAX expects exactly one property path, e.g. MAX(properties.reported.x)' },
  { text: 'SELECT deviceId, COUNT() AS n FROM devices', error: QuerySemanticError, span: 'deviceId', message: "'deviceId' cannot be selected next to an aggregate without GROUP BY" },
  { text: 'SELECT deviceId, COUNT() AS n FROM devices GROUP BY status', error: QuerySemanticError, span: 'deviceId', message: "'deviceId' must be the GROUP BY property or an aggregate" },
  { text: 'SELECT COUNT() AS n FROM devices.modules GROUP BY status', error: QuerySemanticError, span: 'status', message: 'GROUP BY is only supported with FROM devices' },
  { text: 'SELECT * FROM devices GROUP BY status', error: QuerySemanticError, span: 'status', message: 'GROUP BY needs a select list of the grouped property and aggregates, not *' },
  { text: 'SELECT deviceId, tags.deviceId FROM devices', error: QuerySemanticError, span: 'tags.deviceId', message: "Duplicate column name 'deviceId': give one of the columns another name with AS" },
  { text: 'SELECT deviceId AS x, status AS x FROM devices', error: QuerySemanticError, span: 'status AS x', message: "Duplicate column name 'x': give one of the columns another name with AS" },
  { text: "SELECT * FROM devices WHERE deviceId NIN 'a'", error: QuerySemanticError, span: "'a'", message: "NIN needs an array on its right, e.g. x NIN ['a', 'b']" },
];

describe('Semantic checks', () => {
  for (const row of CASES) {
    it(`refuse ${row.text}`, () => {
      let caught: unknown;
      try {
        compileQuery(row.text);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(row.error);
      const error = caught as QueryError;
      expect(error.message).toBe(row.message);
      expect(row.text.slice(error.position, error.position + error.length)).toBe(row.span);
    });
  }

  it('accept a GROUP BY property written in another case of a twin field', () => {
    expect(() => compileQuery('SELECT Status, COUNT() AS n FROM devices GROUP BY status')).not.toThrow();
  });

  it('accept every routing function with the right arity', () => {
    const conditions = [
      'ABS(version) = 1', 'EXP(version) > 1', 'POWER(version, 2) = 4', 'SQUARE(version) = 4', 'CEILING(version) = 2',
      'FLOOR(version) = 2', 'SIGN(version) = 1', 'SQRT(version) > 1', "AS_NUMBER('2') = 2", 'IS_ARRAY(tags)',
      'IS_BOOL(tags)', 'IS_NULL(tags)', 'IS_NUMBER(tags)', 'IS_OBJECT(tags)', 'IS_PRIMITIVE(tags)', 'IS_STRING(tags)',
      "CONCAT(deviceId, '-', status) = 'x'", 'LENGTH(deviceId) = 3', "LOWER(deviceId) = 'x'", "UPPER(deviceId) = 'X'",
      "SUBSTRING(deviceId, 0, 2) = 'de'", "INDEX_OF(deviceId, 'e') = 1", "STARTSWITH(deviceId, 'd')", "STARTS_WITH(deviceId, 'd')",
      "ENDSWITH(deviceId, 'd')", "ENDS_WITH(deviceId, 'd')", "CONTAINS(deviceId, 'd')", 'IS_DEFINED(tags.x)',
    ];
    for (const condition of conditions) expect(checkQuery(`SELECT * FROM devices WHERE ${condition}`), condition).toEqual([]);
  });
});

describe('checkQuery', () => {
  it('returns no diagnostics for a valid query', () => {
    expect(checkQuery("SELECT * FROM devices WHERE tags.location.region = 'US'")).toEqual([]);
  });

  it('returns the syntax error with its span and never throws', () => {
    expect(checkQuery('SELECT * FORM devices')).toEqual([
      { message: "Syntax error at position 9: expected FROM but found 'FORM'", position: 9, length: 4, severity: 'error' },
    ]);
    expect(checkQuery('')).toEqual([
      { message: 'Syntax error at position 0: expected SELECT but found end of query', position: 0, length: 0, severity: 'error' },
    ]);
    expect(checkQuery("SELECT * FROM devices WHERE x = 'unterminated")[0]).toMatchObject({ position: 32, length: 13 });
  });

  it('returns every semantic problem at once', () => {
    const diagnostics = checkQuery('SELECT deviceId, COUNT(x) FROM devices.jobs WHERE NOPE(1) AND COUNT() > 1');
    expect(diagnostics.map((d) => d.message)).toEqual([
      "'deviceId' cannot be selected next to an aggregate without GROUP BY",
      'COUNT takes no arguments: write COUNT()',
      "Unknown function 'NOPE'",
      'Aggregate COUNT can only be used in SELECT, not in WHERE',
    ]);
    expect(diagnostics.every((d) => d.severity === 'error')).toBe(true);
  });

  it('never points past the end of a partially typed query', () => {
    const text = "SELECT * FROM devices WHERE tags.location.region = 'US'";
    for (let end = 0; end <= text.length; end++) {
      const diagnostics = checkQuery(text.slice(0, end));
      for (const d of diagnostics) expect(d.position).toBeLessThanOrEqual(end);
    }
  });
});
