/** Projection rows (`SELECT a, b.c AS x …`): one object per matching twin with the listed columns. */
import type { JsonObject } from '../model/json.js';
import type { Projection } from './ast.js';
import { compileGetter } from './getters.js';
import { projectionKeys } from './validator.js';
import type { Value } from './values.js';

/**
 * Rows of a projection. When every column has a value (the common case) the row is a copy of a per-query
 * template object, so all rows of a query share one shape and are built without property-adding transitions;
 * a row with a missing value is built key by key so the key is omitted.
 */
export function buildProjector(projections: readonly Projection[]): (t: JsonObject) => JsonObject {
  const keys = projectionKeys(projections);
  const getters = projections.map((p) => compileGetter(p.expr.kind === 'path' ? p.expr.segments : []));
  const template: JsonObject = {};
  for (const key of keys) template[key] = null;
  const sparse = (t: JsonObject): JsonObject => {
    const row: JsonObject = {};
    keys.forEach((key, i) => {
      const value = getters[i]?.(t);
      if (value !== undefined) row[key] = value;
    });
    return row;
  };
  return (t) => {
    const row = { ...template };
    for (let i = 0; i < getters.length; i++) {
      const value = (getters[i] as (t: JsonObject) => Value)(t);
      if (value === undefined) return sparse(t);
      row[keys[i] as string] = value;
    }
    return row;
  };
}
