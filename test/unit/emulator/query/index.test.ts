import { describe, expect, expectTypeOf, it } from 'vitest';
import type { JsonObject } from '../../../../emulator/model/json.js';
import * as query from '../../../../emulator/query/index.js';
import type { CompiledQuery, QueryAst, QueryDiagnostic, QueryPage } from '../../../../emulator/query/index.js';

describe('The public surface of emulator/query', () => {
  it('exports the functions, errors and constants the hub and the UI use', () => {
    expect(Object.keys(query).sort()).toEqual([
      'DEFAULT_PAGE_SIZE', 'MAX_PAGE_SIZE', 'MAX_QUERY_LENGTH', 'QueryContinuationError', 'QueryError',
      'QueryNotSupportedError', 'QuerySemanticError', 'QuerySyntaxError', 'checkQuery', 'compileCondition', 'compileQuery', 'parseQuery',
      'print', 'quoteName', 'quotePath', 'quoteString',
    ]);
    expect(query.MAX_QUERY_LENGTH).toBe(8192);
    expect(query.DEFAULT_PAGE_SIZE).toBe(100);
  });

  it('has the documented types', () => {
    expectTypeOf(query.parseQuery).toEqualTypeOf<(text: string) => QueryAst>();
    expectTypeOf(query.compileQuery).toEqualTypeOf<(text: string) => CompiledQuery>();
    expectTypeOf(query.checkQuery).toEqualTypeOf<(text: string) => QueryDiagnostic[]>();
    expectTypeOf<CompiledQuery['collection']>().toEqualTypeOf<'devices' | 'devices.modules' | 'devices.jobs'>();
    expectTypeOf<CompiledQuery['itemType']>().toEqualTypeOf<'Twin' | 'DeviceJob' | 'Raw'>();
    expectTypeOf<CompiledQuery['run']>().parameter(0).toEqualTypeOf<Iterable<JsonObject>>();
    expectTypeOf<CompiledQuery['run']>().returns.toEqualTypeOf<QueryPage>();
    expectTypeOf<QueryPage['items']>().toEqualTypeOf<JsonObject[]>();
    expectTypeOf<QueryPage['continuation']>().toEqualTypeOf<string | undefined>();
    expectTypeOf<QueryDiagnostic['severity']>().toEqualTypeOf<'error'>();
  });

  it('makes every engine error a QueryError with a position', () => {
    for (const Class of [query.QuerySyntaxError, query.QuerySemanticError, query.QueryNotSupportedError]) {
      const error = new Class('m', 3, 2);
      expect(error).toBeInstanceOf(query.QueryError);
      expect(error).toBeInstanceOf(Error);
      expect(error).toMatchObject({ message: 'm', position: 3, length: 2, name: Class.name });
    }
    expect(new query.QuerySyntaxError('m', 0, 0, ['FROM']).expected).toEqual(['FROM']);
  });
});
