/** Shared helpers for the query tests: run a query to completion and compare with a table row. */
import { expect } from 'vitest';
import type { JsonObject } from '../../../../emulator/model/json.js';
import { compileQuery, type CompiledQuery, type QueryPage } from '../../../../emulator/query/index.js';
import type { QueryCase } from '../../../fixtures/query/cases.js';
import { twinId } from '../../../fixtures/query/twins.js';

/** Runs `compiled` page by page until the continuation disappears; returns every page. */
export function runAllPages(compiled: CompiledQuery, twins: Iterable<JsonObject>, pageSize?: number): QueryPage[] {
  const pages: QueryPage[] = [];
  let continuation: string | undefined;
  do {
    const page = compiled.run(twins, { ...(pageSize !== undefined && { pageSize }), ...(continuation !== undefined && { continuation }) });
    pages.push(page);
    continuation = page.continuation;
    if (pages.length > 100_000) throw new Error('paging did not terminate');
  } while (continuation !== undefined);
  return pages;
}

/** Every item of a query, across pages. */
export function runQuery(query: string, twins: Iterable<JsonObject>, pageSize?: number): JsonObject[] {
  return runAllPages(compileQuery(query), twins, pageSize).flatMap((page) => page.items);
}

/**
 * Checks one table row: ids (SELECT *, in order), rows (projections and aggregates; key order too), or the
 * error class compileQuery must throw.
 */
export function testQuery(twins: readonly JsonObject[], row: QueryCase): void {
  const { query, expected } = row;
  if (typeof expected === 'function') {
    expect(() => compileQuery(query)).toThrow(expected);
    return;
  }
  const compiled = compileQuery(query);
  if (row.itemType) expect(compiled.itemType).toBe(row.itemType);
  const items = runAllPages(compiled, twins).flatMap((page) => page.items);
  if (compiled.itemType === 'Twin') {
    expect(items.map(twinId)).toEqual(expected);
    for (const item of items) expect(twins).toContain(item);
  } else {
    expect(items).toEqual(expected);
    expect(items.map((item) => Object.keys(item))).toEqual((expected as JsonObject[]).map((e) => Object.keys(e)));
  }
}
