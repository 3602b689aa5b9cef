/**
 * The hottest shape in twin queries, `<path> <op> <string or number constant>`, compiled into one closure that
 * walks the path and compares in place. Separate getter and comparison closures would put a call between them
 * whose target differs from query to query, which the JIT cannot inline once a process has run a few
 * different queries; here the only calls are to the plain functions `readRoot` and `compareSame`.
 * Semantics are those of `compareValues` (values.ts): a value of another type gives undefined.
 */
import type { JsonObject } from '../model/json.js';
import type { Evaluator } from './compile.js';
import { planPath, readRoot } from './getters.js';
import type { ComparisonOp } from './values.js';

const CODES: Readonly<Record<ComparisonOp, number>> = { '=': 0, '!=': 1, '<': 2, '>': 3, '<=': 4, '>=': 5 };

/** Compares two values of the same primitive type (string or number). */
export function compareSame(code: number, v: string | number, c: string | number): boolean {
  switch (code) {
    case 0: return v === c;
    case 1: return v !== c;
    case 2: return v < c;
    case 3: return v > c;
    case 4: return v <= c;
    default: return v >= c;
  }
}

/** Compiles `value <op> c` for a value read by `get`, when `c` is a string or a number. */
export function compileValueComparison(get: Evaluator, op: ComparisonOp, c: string | number): Evaluator {
  const code = CODES[op];
  const type = typeof c;
  return (t) => {
    const v = get(t);
    return typeof v === type ? compareSame(code, v as string | number, c) : undefined;
  };
}

/** Compiles `path <op> c` into a single closure; undefined when the path needs the general getter. */
export function compilePathComparison(segments: readonly string[], op: ComparisonOp, c: string | number): Evaluator | undefined {
  const plan = planPath(segments);
  if (!plan || plan.rest.length > 3) return undefined;
  const code = CODES[op];
  const type = typeof c;
  const { root, field, rest } = plan;
  const [a = '', b = '', d = ''] = rest;
  const test = (v: unknown): boolean | undefined => (typeof v === type ? compareSame(code, v as string | number, c) : undefined);
  switch (rest.length) {
    case 0: return (t) => {
      const v = readRoot(t, root, field);
      return typeof v === type ? compareSame(code, v as string | number, c) : undefined;
    };
    case 1: return (t) => {
      const x = readRoot(t, root, field);
      if (typeof x !== 'object' || x === null) return undefined;
      const v = (x as JsonObject)[a];
      return typeof v === type ? compareSame(code, v as string | number, c) : undefined;
    };
    case 2: return (t) => {
      const x = readRoot(t, root, field);
      if (typeof x !== 'object' || x === null) return undefined;
      const y = (x as JsonObject)[a];
      if (typeof y !== 'object' || y === null) return undefined;
      const v = (y as JsonObject)[b];
      return typeof v === type ? compareSame(code, v as string | number, c) : undefined;
    };
    default: return (t) => {
      const x = readRoot(t, root, field);
      if (typeof x !== 'object' || x === null) return undefined;
      const y = (x as JsonObject)[a];
      if (typeof y !== 'object' || y === null) return undefined;
      const z = (y as JsonObject)[b];
      return typeof z === 'object' && z !== null ? test((z as JsonObject)[d]) : undefined;
    };
  }
}
