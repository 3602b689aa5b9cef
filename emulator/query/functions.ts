/**
 * Built-in functions with arity and type signatures (house-style H12).
 * - `IS_DEFINED` is the one function documented for twin queries (iothub-protocol.md §9.2).
 * - The routing-condition functions (math, type checks, strings) are accepted too: the hub's support for them in
 *   twin queries is [U] and accepting them is harmless (§9.2). `STARTS_WITH` / `ENDS_WITH` are the older spellings.
 * - Aggregates (COUNT, AVG, SUM, MIN, MAX) are listed for the validator; `aggregates.ts` computes them.
 * A scalar function given an argument of the wrong type returns undefined, like a missing path.
 */
import type { Value } from './values.js';

/** Declared type of a parameter. `path` means "a property path, not an expression". */
export type ParamType = 'any' | 'number' | 'string' | 'path';

/** Declared result type. */
export type ResultType = 'any' | 'boolean' | 'number' | 'string';

/** One entry of the built-in table. */
export interface FunctionSignature {
  /** Canonical (upper-case) name. */
  readonly name: string;
  readonly kind: 'scalar' | 'aggregate';
  /** Where IoT Hub documents it: twin queries, routing conditions, or SELECT aggregates. */
  readonly documentedFor: 'twin' | 'routing' | 'aggregate';
  /** Parameter types; when `variadic`, the last one repeats. */
  readonly params: readonly ParamType[];
  readonly minArgs: number;
  readonly maxArgs: number;
  readonly returns: ResultType;
  /** Implementation of a scalar function; arguments are already evaluated. */
  readonly call?: (args: readonly Value[]) => Value;
}

const finite = (n: number): number | undefined => (Number.isFinite(n) ? n : undefined);
const NUMBER_TEXT = /^\s*[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?\s*$/;

function math(name: string, op: (n: number) => number): FunctionSignature {
  return scalar(name, 'routing', ['number'], 'number', ([x]) => (typeof x === 'number' ? finite(op(x)) : undefined));
}

function typeCheck(name: string, documentedFor: 'twin' | 'routing', test: (v: Value) => boolean): FunctionSignature {
  return scalar(name, documentedFor, ['any'], 'boolean', ([x]) => test(x));
}

function strings(name: string, params: readonly ParamType[], returns: ResultType,
  op: (s: string[], raw: readonly Value[]) => Value): FunctionSignature {
  return scalar(name, 'routing', params, returns, (args) => {
    const values: string[] = [];
    for (let i = 0; i < args.length; i++) {
      const arg = args[i];
      if (params[Math.min(i, params.length - 1)] === 'string') {
        if (typeof arg !== 'string') return undefined;
        values.push(arg);
      }
    }
    return op(values, args);
  });
}

function scalar(name: string, documentedFor: 'twin' | 'routing', params: readonly ParamType[], returns: ResultType,
  call: (args: readonly Value[]) => Value): FunctionSignature {
  return { name, kind: 'scalar', documentedFor, params, minArgs: params.length, maxArgs: params.length, returns, call };
}

function aggregate(name: string, params: readonly ParamType[]): FunctionSignature {
  return { name, kind: 'aggregate', documentedFor: 'aggregate', params, minArgs: params.length,
    maxArgs: params.length, returns: 'number' };
}

function substring([s = '']: string[], raw: readonly Value[]): Value {
  const start = raw[1];
  const length = raw[2];
  if (typeof start !== 'number' || typeof length !== 'number') return undefined;
  const from = Math.max(0, Math.trunc(start));
  return s.substring(from, from + Math.max(0, Math.trunc(length)));
}

const isPrimitive = (v: Value): boolean => v === null || ['string', 'number', 'boolean'].includes(typeof v);
const startsWith = ([s = '', p = '']: string[]): boolean => s.startsWith(p);
const endsWith = ([s = '', p = '']: string[]): boolean => s.endsWith(p);

const TABLE: readonly FunctionSignature[] = [
  typeCheck('IS_DEFINED', 'twin', (v) => v !== undefined),
  math('ABS', Math.abs), math('EXP', Math.exp), math('SQUARE', (n) => n * n), math('CEILING', Math.ceil),
  math('FLOOR', Math.floor), math('SIGN', Math.sign), math('SQRT', Math.sqrt),
  scalar('POWER', 'routing', ['number', 'number'], 'number',
    ([x, y]) => (typeof x === 'number' && typeof y === 'number' ? finite(x ** y) : undefined)),
  scalar('AS_NUMBER', 'routing', ['any'], 'number', ([x]) => {
    if (typeof x === 'number') return x;
    return typeof x === 'string' && NUMBER_TEXT.test(x) ? finite(Number(x)) : undefined;
  }),
  typeCheck('IS_ARRAY', 'routing', (v) => Array.isArray(v)),
  typeCheck('IS_BOOL', 'routing', (v) => typeof v === 'boolean'),
  typeCheck('IS_NULL', 'routing', (v) => v === null),
  typeCheck('IS_NUMBER', 'routing', (v) => typeof v === 'number'),
  typeCheck('IS_OBJECT', 'routing', (v) => typeof v === 'object' && v !== null && !Array.isArray(v)),
  typeCheck('IS_PRIMITIVE', 'routing', isPrimitive),
  typeCheck('IS_STRING', 'routing', (v) => typeof v === 'string'),
  { ...strings('CONCAT', ['string', 'string'], 'string', (s) => s.join('')), maxArgs: Number.POSITIVE_INFINITY },
  strings('LENGTH', ['string'], 'number', ([s = '']) => s.length),
  strings('LOWER', ['string'], 'string', ([s = '']) => s.toLowerCase()),
  strings('UPPER', ['string'], 'string', ([s = '']) => s.toUpperCase()),
  strings('SUBSTRING', ['string', 'number', 'number'], 'string', substring),
  strings('INDEX_OF', ['string', 'string'], 'number', ([s = '', p = '']) => s.indexOf(p)),
  strings('STARTSWITH', ['string', 'string'], 'boolean', startsWith),
  strings('STARTS_WITH', ['string', 'string'], 'boolean', startsWith),
  strings('ENDSWITH', ['string', 'string'], 'boolean', endsWith),
  strings('ENDS_WITH', ['string', 'string'], 'boolean', endsWith),
  strings('CONTAINS', ['string', 'string'], 'boolean', ([s = '', p = '']) => s.includes(p)),
  aggregate('COUNT', []), aggregate('AVG', ['path']), aggregate('SUM', ['path']),
  aggregate('MIN', ['path']), aggregate('MAX', ['path']),
];

/** The built-in table, keyed by upper-case name. */
export const FUNCTIONS: ReadonlyMap<string, FunctionSignature> = new Map(TABLE.map((f) => [f.name, f]));

/** Looks a function up by name, case-insensitively. */
export function lookupFunction(name: string): FunctionSignature | undefined {
  return FUNCTIONS.get(name.toUpperCase());
}

/** Declared type of argument `index` (the last parameter repeats for variadic functions). */
export function paramType(signature: FunctionSignature, index: number): ParamType {
  return signature.params[Math.min(index, signature.params.length - 1)] ?? 'any';
}
