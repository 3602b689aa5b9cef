/**
 * Stage 4 (house-style H12): compiles expressions once into closures through a per-kind dispatch table, so a
 * query costs one closure tree per compile and no interpretation per row. No eval, no `new Function`.
 * Hot shapes get dedicated closures: path getters unrolled by depth (getters.ts), `path <op> constant` fused
 * into one closure (path-comparisons.ts), and `IN [...]` against prebuilt Sets. Everything else goes through
 * `values.ts`, which defines the semantics the fast paths must match.
 */
import type { JsonObject, JsonValue } from '../model/json.js';
import type { BinaryExpr, CallExpr, Expr, ExprKind, UnaryExpr } from './ast.js';
import { lookupFunction } from './functions.js';
import { compileGetter } from './getters.js';
import { compilePathComparison, compileValueComparison } from './path-comparisons.js';
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
  if (!containsPath(right)) return compareWithConstant(op, left, evaluateConstant(right));
  if (!containsPath(left)) return compareWithConstant(FLIPPED[op], right, evaluateConstant(left));
  const a = compileExpression(left);
  const b = compileExpression(right);
  return (t) => compareValues(op, a(t), b(t));
}

function compareWithConstant(op: ComparisonOp, expr: Expr, c: Value): Evaluator {
  if (typeof c === 'string' || typeof c === 'number') {
    const fused = expr.kind === 'path' ? compilePathComparison(expr.segments, op, c) : undefined;
    return fused ?? compileValueComparison(compileExpression(expr), op, c);
  }
  if (!isComparablePrimitive(c)) return constant(undefined);
  const get = compileExpression(expr);
  return (t) => compareValues(op, get(t), c);
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
