/**
 * Stage 2 output (house-style H12): the query AST as plain read-only data, plus `print`, which renders any node
 * as an S-expression for tests and debugging. Every node carries the span of the text it came from.
 */
import { quoteName, quoteString } from './quote.js';

/** Where a node came from in the query text (0-based). */
export interface Span {
  readonly position: number;
  readonly length: number;
}

/** A constant value as written: string, number, boolean, null or undefined. */
export type LiteralValue = string | number | boolean | null | undefined;

/** Binary operators, normalised (`<>` is stored as `!=`, word operators lower-case). */
export type BinaryOp =
  | 'or' | 'and'
  | '=' | '!=' | '<' | '>' | '<=' | '>=' | 'in' | 'nin'
  | '+' | '-' | '*' | '/' | '%';

/** Unary operators. */
export type UnaryOp = 'not' | '-' | '+';

/** `'US'`, `42`, `true`, `null`, `undefined`. */
export interface LiteralExpr extends Span {
  readonly kind: 'literal';
  readonly value: LiteralValue;
}

/** `['wired', 'wifi']`: an array constant (items are constants). */
export interface ArrayExpr extends Span {
  readonly kind: 'array';
  readonly items: readonly Expr[];
}

/** `tags.location.region`: segments as written (escapes removed). */
export interface PathExpr extends Span {
  readonly kind: 'path';
  readonly segments: readonly string[];
}

/** `IS_DEFINED(x)`, `COUNT()`: `name` as written. */
export interface CallExpr extends Span {
  readonly kind: 'call';
  readonly name: string;
  readonly nameSpan: Span;
  readonly args: readonly Expr[];
}

/** `NOT x`, `-x`. */
export interface UnaryExpr extends Span {
  readonly kind: 'unary';
  readonly op: UnaryOp;
  readonly operand: Expr;
}

/** `a AND b`, `x = 1`, `x IN [...]`, `a + b`. */
export interface BinaryExpr extends Span {
  readonly kind: 'binary';
  readonly op: BinaryOp;
  readonly left: Expr;
  readonly right: Expr;
}

/** Any expression. */
export type Expr = LiteralExpr | ArrayExpr | PathExpr | CallExpr | UnaryExpr | BinaryExpr;

/** The kinds of expression nodes: the keys of the compiler's dispatch table. */
export type ExprKind = Expr['kind'];

/** One item of the select list: a path or an aggregate call, with an optional `AS` alias. */
export interface Projection extends Span {
  readonly kind: 'projection';
  readonly expr: PathExpr | CallExpr;
  readonly alias?: string;
}

/** `SELECT [TOP n] (* | projection, …)`. */
export interface SelectClause extends Span {
  readonly kind: 'select';
  readonly top?: number;
  readonly star: boolean;
  readonly projections: readonly Projection[];
}

/** `FROM devices[.modules|.jobs|…]`: the collection name as written (dotted), checked by the validator. */
export interface FromClause extends Span {
  readonly kind: 'from';
  readonly collection: string;
}

/** A whole query. */
export interface QueryAst extends Span {
  readonly kind: 'query';
  readonly select: SelectClause;
  readonly from: FromClause;
  readonly where?: Expr;
  readonly groupBy?: PathExpr;
}

/** Any AST node. */
export type AstNode = QueryAst | SelectClause | FromClause | Projection | Expr;

/**
 * Renders a node as an S-expression, e.g.
 * `(query (select *) (from devices) (where (= tags.location.region 'US')))`. Spans are not printed.
 */
export function print(node: AstNode): string {
  switch (node.kind) {
    case 'query': return printQuery(node);
    case 'select': return printSelect(node);
    case 'from': return `(from ${node.collection})`;
    case 'projection':
      return node.alias === undefined ? print(node.expr) : `(as ${print(node.expr)} ${quoteName(node.alias)})`;
    case 'literal': return printLiteral(node.value);
    case 'array': return `(array${node.items.map((item) => ' ' + print(item)).join('')})`;
    case 'path': return node.segments.map(quoteName).join('.');
    case 'call': return `(${node.name.toUpperCase()}${node.args.map((arg) => ' ' + print(arg)).join('')})`;
    case 'unary': return `(${node.op === '-' ? 'neg' : node.op === '+' ? 'pos' : 'not'} ${print(node.operand)})`;
    case 'binary': return `(${node.op} ${print(node.left)} ${print(node.right)})`;
  }
}

function printQuery(node: QueryAst): string {
  let out = `(query ${printSelect(node.select)} (from ${node.from.collection})`;
  if (node.where) out += ` (where ${print(node.where)})`;
  if (node.groupBy) out += ` (group-by ${print(node.groupBy)})`;
  return out + ')';
}

function printSelect(node: SelectClause): string {
  const top = node.top === undefined ? '' : ` (top ${node.top})`;
  const items = node.star ? ' *' : node.projections.map((p) => ' ' + print(p)).join('');
  return `(select${top}${items})`;
}

function printLiteral(value: LiteralValue): string {
  if (value === undefined) return 'undefined';
  if (typeof value === 'string') return quoteString(value);
  return String(value);
}
