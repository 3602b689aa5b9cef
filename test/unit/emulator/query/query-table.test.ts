import { describe, it } from 'vitest';
import { CHECKLIST, MORE, WORKED_EXAMPLES } from '../../../fixtures/query/cases.js';
import { ALL_TWINS } from '../../../fixtures/query/twins.js';
import { testQuery } from './query-test-helpers.js';

describe('The worked examples of iothub-protocol.md §9.4', () => {
  for (const row of WORKED_EXAMPLES) it(`${row.title}: ${row.query}`, () => testQuery(ALL_TWINS, row));
});

describe('Conformance checklist items 79-89', () => {
  for (const row of CHECKLIST) it(`${row.title}: ${row.query.slice(0, 160)}`, () => testQuery(ALL_TWINS, row));
});

describe('Aggregates, functions and recorded semantics choices', () => {
  for (const row of MORE) it(`${row.title}: ${row.query}`, () => testQuery(ALL_TWINS, row));
});
