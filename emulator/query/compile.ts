/**
 * Stage 4 (house-style H12): compiles expressions once into closures through a per-kind dispatch table, so a
 * query costs one closure tree per compile and no interpretation per row. No eval, no `new Function`.
 * Hot shapes get dedicated closures: path getters unrolled by length, `path <op> 'constant'` comparisons that
 * test `typeof` once, and `IN [...]` against a prebuilt Set. Everything else goes through `values.ts`, which
 * defines the semantics the fast paths must match.
 */
import type { JsonObject, JsonValue } from '../model/json.js';
import type { BinaryExpr, CallExpr, Expr, ExprKind, UnaryExpr } from './ast.js';
import { lookupFunction } from './functions.js';
import { canonicalPath } from './twin-paths.js';
import {
  andValues, arithmetic, compareValues, inValues, isComparablePrimitive, notValue, orValues,
  type ArithmeticOp, type ComparisonOp, type Value,
} from './values.js';

/** A compiled expression: evaluates against one twin. */
export type Evaluator = (twin: JsonObject) => Value;

type Compile<K extends ExprKind> = (node: Extract<Expr, { kind: K }>) => Evaluator;

const COMPILE: { readonly [K in ExprKind]: Compile<K> } = {
  literal: (node) => constant(node.value),
  array: (node) => constant(node.items.map((item) => evaluateConstant(item)) as JsonValue[]),
  path: (node) => compileGetter(node.segments),
  call: compileCall,
  unary: compileUnary,
  binary: compileBinary,
};

/** Compiles an expression. Sub-trees without paths are folded into constants. */
export function compileExpression(expr: Expr): Evaluator {
  if (!containsPath(expr)) return constant(dispatch(expr)({}));
  return dispatch(expr);
}

/** Compiles a property path into a getter; the twin's fixed field names are matched case-insensitively. */
export function compileGetter(segments: readonly string[]): Evaluator {
  const path = canonicalPath(segments);
  if (path.some(needsOwnPropertyCheck)) return safeGetter(path);
  const [a = '', b = '', c = '', d = ''] = path;
  switch (path.length) {
    case 1: return (t) => t[a];
    case 2: return (t) => {
      const x = t[a];
      return typeof x === 'object' && x !== null ? (x as JsonObject)[b] : undefined;
    };
    case 3: return (t) => {
      const x = t[a];
      if (typeof x !== 'object' || x === null) return undefined;
      const y = (x as JsonObject)[b];
      return typeof y === 'object' && y !== null ? (y as JsonObject)[c] : undefined;
    };
    case 4: return (t) => {
      const x = t[a];
      if (typeof x !== 'object' || x === null) return undefined;
      const y = (x as JsonObject)[b];
      if (typeof y !== 'object' || y === null) return undefined;
      const z = (y as JsonObject)[c];
      return typeof z === 'object' && z !== null ? (z as JsonObject)[d] : undefined;
    };
    default: return (t) => {
      let current: Value = t;
      for (const segment of path) {
        if (typeof current !== 'object' || current === null) return undefined;
        current = (current as JsonObject)[segment];
      }
      return current;
    };
  }
}

function dispatch(expr: Expr): Evaluator {
  return (COMPILE[expr.kind] as (node: Expr) => Evaluator)(expr);
}

function constant(value: Value): Evaluator {
  return () => value;
}

function evaluateConstant(expr: Expr): Value {
  return dispatch(expr)({});
}

function containsPath(expr: Expr): boolean {
  switch (expr.kind) {
    case 'path': return true;
    case 'literal': return false;
    case 'array': return expr.items.some(containsPath);
    case 'call': return expr.args.some(containsPath);
    case 'unary': return containsPath(expr.operand);
    case 'binary': return containsPath(expr.left) || containsPath(expr.right);
  }
}

/**
 * Names for which a plain `obj[name]` could reach something that is not twin data: inherited members
 * (`constructor`, `__proto__`, `toString`), array members (`length`) and array indices. Those paths walk
 * own properties of plain objects only.
 */
function needsOwnPropertyCheck(name: string): boolean {
  return name in Object.prototype || name in Array.prototype || /^\d+$/.test(name);
}

function safeGetter(path: readonly string[]): Evaluator {
  return (t) => {
    let current: Value = t;
    for (const segment of path) {
      if (typeof current !== 'object' || current === null || Array.isArray(current)) return undefined;
      if (!Object.hasOwn(current, segment)) return undefined;
      current = current[segment];
    }
    return current;
  };
}

function compileCall(node: CallExpr): Evaluator {
  const signature = lookupFunction(node.name);
  const call = signature?.call;
  if (!call) throw new Error(`compile: '${node.name}' is not a scalar function (validator bug)`);
  const args = node.args.map(compileExpression);
  const [first] = args;
  if (signature.name === 'IS_DEFINED' && first) return (t) => first(t) !== undefined;
  if (args.length === 1 && first) return (t) => call([first(t)]);
  return (t) => call(args.map((arg) => arg(t)));
}

function compileUnary(node: UnaryExpr): Evaluator {
  const operand = compileExpression(node.operand);
  switch (node.op) {
    case 'not': return (t) => notValue(operand(t));
    case '-': return (t) => {
      const v = operand(t);
      return typeof v === 'number' ? -v : undefined;
    };
    case '+': return (t) => {
      const v = operand(t);
      return typeof v === 'number' ? v : undefined;
    };
  }
}

function compileBinary(node: BinaryExpr): Evaluator {
  const { op } = node;
  switch (op) {
    case 'and': return compileAnd(compileExpression(node.left), compileExpression(node.right));
    case 'or': return compileOr(compileExpression(node.left), compileExpression(node.right));
    case 'in': case 'nin': return compileIn(node.left, node.right, op === 'nin');
    case '=': case '!=': case '<': case '>': case '<=': case '>=': return compileComparison(op, node.left, node.right);
    default: return compileArithmetic(op, compileExpression(node.left), compileExpression(node.right));
  }
}

function compileAnd(left: Evaluator, right: Evaluator): Evaluator {
  return (t) => {
    const a = left(t);
    if (a === false) return false;
    const b = right(t);
    return b === false ? false : andValues(a, b);
  };
}

function compileOr(left: Evaluator, right: Evaluator): Evaluator {
  return (t) => {
    const a = left(t);
    if (a === true) return true;
    const b = right(t);
    return b === true ? true : orValues(a, b);
  };
}

function compileArithmetic(op: ArithmeticOp, left: Evaluator, right: Evaluator): Evaluator {
  return (t) => arithmetic(op, left(t), right(t));
}

const FLIPPED: Readonly<Record<ComparisonOp, ComparisonOp>> = {
  '=': '=', '!=': '!=', '<': '>', '>': '<', '<=': '>=', '>=': '<=',
};

function compileComparison(op: ComparisonOp, left: Expr, right: Expr): Evaluator {
  if (!containsPath(right)) return compareWithConstant(op, compileExpression(left), evaluateConstant(right));
  if (!containsPath(left)) return compareWithConstant(FLIPPED[op], compileExpression(right), evaluateConstant(left));
  const a = compileExpression(left);
  const b = compileExpression(right);
  return (t) => compareValues(op, a(t), b(t));
}

function compareWithConstant(op: ComparisonOp, get: Evaluator, c: Value): Evaluator {
  if (typeof c === 'string') return compareWithString(op, get, c);
  if (typeof c === 'number') return compareWithNumber(op, get, c);
  if (!isComparablePrimitive(c)) return constant(undefined);
  return (t) => compareValues(op, get(t), c);
}

function compareWithString(op: ComparisonOp, get: Evaluator, c: string): Evaluator {
  switch (op) {
    case '=': return (t) => { const v = get(t); return typeof v === 'string' ? v === c : undefined; };
    case '!=': return (t) => { const v = get(t); return typeof v === 'string' ? v !== c : undefined; };
    case '<': return (t) => { const v = get(t); return typeof v === 'string' ? v < c : undefined; };
    case '>': return (t) => { const v = get(t); return typeof v === 'string' ? v > c : undefined; };
    case '<=': return (t) => { const v = get(t); return typeof v === 'string' ? v <= c : undefined; };
    case '>=': return (t) => { const v = get(t); return typeof v === 'string' ? v >= c : undefined; };
  }
}

function compareWithNumber(op: ComparisonOp, get: Evaluator, c: number): Evaluator {
  switch (op) {
    case '=': return (t) => { const v = get(t); return typeof v === 'number' ? v === c : undefined; };
    case '!=': return (t) => { const v = get(t); return typeof v === 'number' ? v !== c : undefined; };
    case '<': return (t) => { const v = get(t); return typeof v === 'number' ? v < c : undefined; };
    case '>': return (t) => { const v = get(t); return typeof v === 'number' ? v > c : undefined; };
    case '<=': return (t) => { const v = get(t); return typeof v === 'number' ? v <= c : undefined; };
    case '>=': return (t) => { const v = get(t); return typeof v === 'number' ? v >= c : undefined; };
  }
}

function compileIn(left: Expr, right: Expr, negate: boolean): Evaluator {
  const get = compileExpression(left);
  if (containsPath(right)) {
    const list = compileExpression(right);
    return (t) => {
      const found = inValues(get(t), list(t));
      return negate && found !== undefined ? !found : found;
    };
  }
  const items = evaluateConstant(right);
  if (!Array.isArray(items)) return constant(undefined);
  const strings = new Set<string>();
  const numbers = new Set<number>();
  const others = new Set<boolean | null>();
  for (const item of items) {
    if (typeof item === 'string') strings.add(item);
    else if (typeof item === 'number') numbers.add(item);
    else if (typeof item === 'boolean' || item === null) others.add(item);
  }
  return (t) => {
    const v = get(t);
    let found: boolean;
    if (typeof v === 'string') found = strings.has(v);
    else if (typeof v === 'number') found = numbers.has(v);
    else if (typeof v === 'boolean' || v === null) found = others.has(v);
    else return undefined;
    return negate ? !found : found;
  };
}
