/**
 * Run-time value semantics shared by the compiler and the built-in functions (iothub-protocol.md §9.3):
 * - a missing path is `undefined`; `undefined` propagates through comparisons, arithmetic and most functions;
 * - comparisons are defined between primitives of the same type only; anything else is `undefined`, so a row
 *   is dropped by `=` and `!=` alike;
 * - AND / OR / NOT use three-valued logic over true / false / undefined (non-booleans count as undefined).
 */
import type { JsonValue } from '../model/json.js';

/** Any value an expression can produce. */
export type Value = JsonValue | undefined;

/** Comparison operators. */
export type ComparisonOp = '=' | '!=' | '<' | '>' | '<=' | '>=';

/** Arithmetic operators. */
export type ArithmeticOp = '+' | '-' | '*' | '/' | '%';

/** `=`: true/false for two primitives of one type (null = null is true), otherwise undefined. */
export function equalValues(a: Value, b: Value): boolean | undefined {
  // null vs anything else is a type mismatch (or involves undefined): undefined either way.
  if (a === null || b === null) return a === null && b === null ? true : undefined;
  const type = typeof a;
  if (type !== typeof b || type === 'object' || type === 'undefined') return undefined;
  return a === b;
}

/** Evaluates a comparison operator with the hub's undefined rules. */
export function compareValues(op: ComparisonOp, a: Value, b: Value): boolean | undefined {
  if (op === '=') return equalValues(a, b);
  if (op === '!=') {
    const equal = equalValues(a, b);
    return equal === undefined ? undefined : !equal;
  }
  const type = typeof a;
  if (type !== typeof b || (type !== 'number' && type !== 'string' && type !== 'boolean')) return undefined;
  const x = a as number | string | boolean;
  const y = b as number | string | boolean;
  switch (op) {
    case '<': return x < y;
    case '>': return x > y;
    case '<=': return x <= y;
    case '>=': return x >= y;
  }
}

/** `x IN array`: undefined unless x is a primitive and the right side an array; then whether an item equals x. */
export function inValues(value: Value, list: Value): boolean | undefined {
  if (!Array.isArray(list) || !isComparablePrimitive(value)) return undefined;
  return list.some((item) => equalValues(value, item) === true);
}

/** Arithmetic on two numbers; anything else, or a non-finite result (x / 0), is undefined. */
export function arithmetic(op: ArithmeticOp, a: Value, b: Value): number | undefined {
  if (typeof a !== 'number' || typeof b !== 'number') return undefined;
  let result: number;
  switch (op) {
    case '+': result = a + b; break;
    case '-': result = a - b; break;
    case '*': result = a * b; break;
    case '/': result = a / b; break;
    case '%': result = a % b; break;
  }
  return Number.isFinite(result) ? result : undefined;
}

/** Three-valued AND. */
export function andValues(a: Value, b: Value): boolean | undefined {
  if (a === false || b === false) return false;
  return a === true && b === true ? true : undefined;
}

/** Three-valued OR. */
export function orValues(a: Value, b: Value): boolean | undefined {
  if (a === true || b === true) return true;
  return a === false && b === false ? false : undefined;
}

/** Three-valued NOT. */
export function notValue(a: Value): boolean | undefined {
  return typeof a === 'boolean' ? !a : undefined;
}

/** True for string, number, boolean and null. */
export function isComparablePrimitive(value: Value): value is string | number | boolean | null {
  return value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}
