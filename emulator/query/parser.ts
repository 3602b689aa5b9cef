/**
 * Stage 2 (house-style H12): hand-written recursive-descent parser, tokens → AST (`ast.ts`).
 * Grammar (iothub-protocol.md §9.2, made precise; also in README.md):
 *
 *   query          = "SELECT" select_list "FROM" collection [ "WHERE" expression ] [ "GROUP" "BY" path ] end ;
 *   select_list    = [ "TOP" integer ] ( "*" | projection { "," projection } ) ;
 *   projection     = ( call | path ) [ "AS" name ] ;
 *   collection     = name { "." name } ;                  (* devices | devices.modules | devices.jobs *)
 *   expression     = and_expr { "OR" and_expr } ;
 *   and_expr       = not_expr { "AND" not_expr } ;
 *   not_expr       = "NOT" not_expr | comparison ;
 *   comparison     = additive { ( "=" | "!=" | "<>" | "<" | ">" | "<=" | ">=" | "IN" | "NIN" ) additive } ;
 *   additive       = multiplicative { ( "+" | "-" ) multiplicative } ;
 *   multiplicative = unary { ( "*" | "/" | "%" ) unary } ;
 *   unary          = ( "-" | "+" ) unary | primary ;
 *   primary        = constant | call | path | "(" expression ")" ;
 *   call           = identifier "(" [ expression { "," expression } ] ")" ;
 *   path           = name { "." name } ;
 *   name           = identifier | "[[" escaped_name "]]" ;
 *   constant       = [ "-" | "+" ] number | string | "TRUE" | "FALSE" | "NULL" | "UNDEFINED" | array_constant ;
 *   array_constant = "[" [ constant { "," constant } ] "]" ;
 *
 * Syntax errors report the farthest position reached and everything that would have been accepted there.
 */
import type {
  BinaryOp, CallExpr, Expr, FromClause, LiteralExpr, PathExpr, Projection, QueryAst, SelectClause, Span,
} from './ast.js';
import { QuerySyntaxError } from './errors.js';
import { lex, type Token } from './lexer.js';
import { TokenCursor } from './token-cursor.js';

/** Longest accepted query text, in characters (iothub-protocol.md §9.1). */
export const MAX_QUERY_LENGTH = 8192;

const COMPARISON_OPS: ReadonlyMap<string, BinaryOp> = new Map<string, BinaryOp>([
  ['=', '='], ['!=', '!='], ['<>', '!='], ['<', '<'], ['>', '>'], ['<=', '<='], ['>=', '>='],
]);
const LITERAL_KEYWORDS: ReadonlyMap<string, LiteralExpr['value']> = new Map<string, LiteralExpr['value']>([
  ['TRUE', true], ['FALSE', false], ['NULL', null], ['UNDEFINED', undefined],
]);
const EXPRESSION_START = ['path', 'constant', 'function call', '(', '['];

/** Parses a whole query. Throws QuerySyntaxError (with position, length and expected) on invalid text. */
export function parse(text: string): QueryAst {
  if (text.length > MAX_QUERY_LENGTH) {
    throw new QuerySyntaxError(
      `Query is too long: ${text.length} characters, the maximum is ${MAX_QUERY_LENGTH}`,
      MAX_QUERY_LENGTH, text.length - MAX_QUERY_LENGTH);
  }
  return new Parser(lex(text)).parseQuery();
}

class Parser extends TokenCursor {

  parseQuery(): QueryAst {
    const start = this.peek();
    this.expectKeyword('SELECT');
    const select = this.parseSelect(start);
    this.expectKeyword('FROM');
    const from = this.parseFrom();
    const where = this.acceptKeyword('WHERE') ? this.parseExpression() : undefined;
    let groupBy: PathExpr | undefined;
    if (this.acceptKeyword('GROUP', 'GROUP BY')) {
      this.expectKeyword('BY');
      groupBy = this.parsePath();
    }
    if (!this.check('end of query', (t) => t.kind === 'end')) this.fail();
    return { kind: 'query', select, from, ...(where && { where }), ...(groupBy && { groupBy }), ...this.span(start) };
  }

  private parseSelect(start: Token): SelectClause {
    let top: number | undefined;
    if (this.acceptKeyword('TOP')) top = this.parseTop();
    const first = this.peek();
    if (first.kind === 'identifier' && first.text.toUpperCase() === 'DISTINCT' && !this.startsProjectionEnd(1)) {
      throw new QuerySyntaxError(
        `Syntax error at position ${first.position}: DISTINCT is not supported by IoT Hub queries`,
        first.position, first.length, []);
    }
    const projections: Projection[] = [];
    const star = this.acceptSymbol('*');
    if (!star) {
      do projections.push(this.parseProjection());
      while (this.acceptSymbol(','));
    }
    return { kind: 'select', ...(top !== undefined && { top }), star, projections, ...this.span(start) };
  }

  private parseTop(): number {
    const token = this.peek();
    const isInteger = token.kind === 'number' && Number.isSafeInteger(token.value)
      && /^(?:\d+|0[xX][0-9A-Fa-f]+)$/.test(token.text);
    if (!this.check('integer', () => isInteger)) this.fail();
    this.index++;
    return token.value as number;
  }

  private startsProjectionEnd(offset: number): boolean {
    const next = this.tokens[this.index + offset];
    return next !== undefined && (next.kind === 'end' || (next.kind === 'symbol' && ['.', ',', '('].includes(next.text))
      || (next.kind === 'keyword' && (next.value === 'FROM' || next.value === 'AS')));
  }

  private parseProjection(): Projection {
    const start = this.peek();
    const expr = this.isCallStart() ? this.parseCall() : this.parsePath();
    const alias = this.acceptKeyword('AS') ? this.parseName() : undefined;
    return { kind: 'projection', expr, ...(alias !== undefined && { alias }), ...this.span(start) };
  }

  private parseFrom(): FromClause {
    const start = this.peek();
    const names = [this.parseName('collection')];
    while (this.acceptSymbol('.')) names.push(this.parseName());
    return { kind: 'from', collection: names.join('.'), ...this.span(start) };
  }

  private parseExpression(): Expr {
    let left = this.parseAnd();
    while (this.acceptKeyword('OR')) left = this.binary('or', left, this.parseAnd());
    return left;
  }

  private parseAnd(): Expr {
    let left = this.parseNot();
    while (this.acceptKeyword('AND')) left = this.binary('and', left, this.parseNot());
    return left;
  }

  private parseNot(): Expr {
    const start = this.peek();
    if (!this.acceptKeyword('NOT')) return this.parseComparison();
    const operand = this.parseNot();
    return { kind: 'unary', op: 'not', operand, ...this.span(start) };
  }

  private parseComparison(): Expr {
    let left = this.parseAdditive();
    for (;;) {
      const token = this.peek();
      const symbolOp = token.kind === 'symbol' ? COMPARISON_OPS.get(token.text) : undefined;
      const wordOp = token.kind === 'keyword' && (token.value === 'IN' || token.value === 'NIN')
        ? (token.value === 'IN' ? 'in' : 'nin') : undefined;
      const op = symbolOp ?? wordOp;
      if (op === undefined) {
        for (const label of ['=', '!=', '<>', '<', '>', '<=', '>=', 'IN', 'NIN']) this.note(label);
        return left;
      }
      this.index++;
      left = this.binary(op, left, this.parseAdditive());
    }
  }

  private parseAdditive(): Expr {
    let left = this.parseMultiplicative();
    for (;;) {
      const op = this.acceptSymbol('+') ? '+' : this.acceptSymbol('-') ? '-' : undefined;
      if (op === undefined) return left;
      left = this.binary(op, left, this.parseMultiplicative());
    }
  }

  private parseMultiplicative(): Expr {
    let left = this.parseUnary();
    for (;;) {
      const op = this.acceptSymbol('*') ? '*' : this.acceptSymbol('/') ? '/' : this.acceptSymbol('%') ? '%' : undefined;
      if (op === undefined) return left;
      left = this.binary(op, left, this.parseUnary());
    }
  }

  private parseUnary(): Expr {
    const start = this.peek();
    const op = this.acceptSymbol('-') ? '-' : this.acceptSymbol('+') ? '+' : undefined;
    if (op === undefined) return this.parsePrimary();
    const operand = this.parseUnary();
    if (operand.kind === 'literal' && typeof operand.value === 'number') {
      return { kind: 'literal', value: op === '-' ? -operand.value : operand.value, ...this.span(start) };
    }
    return { kind: 'unary', op, operand, ...this.span(start) };
  }

  private parsePrimary(): Expr {
    const token = this.peek();
    if (this.acceptSymbol('(')) {
      const inner = this.parseExpression();
      this.expectSymbol(')');
      return inner;
    }
    if (this.isConstantStart(token)) return this.parseConstant();
    if (this.isCallStart()) return this.parseCall();
    if (token.kind === 'identifier' || token.kind === 'escapedName') return this.parsePath();
    for (const label of EXPRESSION_START) this.note(label);
    return this.fail();
  }

  private isConstantStart(token: Token): boolean {
    return token.kind === 'number' || token.kind === 'string'
      || (token.kind === 'keyword' && LITERAL_KEYWORDS.has(token.value as string))
      || (token.kind === 'symbol' && token.text === '[');
  }

  private parseConstant(): Expr {
    const token = this.peek();
    if (this.acceptSymbol('[')) {
      const items: Expr[] = [];
      if (!this.acceptSymbol(']')) {
        do items.push(this.parseConstant());
        while (this.acceptSymbol(','));
        this.expectSymbol(']');
      }
      return { kind: 'array', items, ...this.span(token) };
    }
    const sign = this.acceptSymbol('-') ? -1 : this.acceptSymbol('+') ? 1 : 0;
    const literal = this.peek();
    const isNumber = literal.kind === 'number';
    const ok = isNumber || (sign === 0 && (literal.kind === 'string'
      || (literal.kind === 'keyword' && LITERAL_KEYWORDS.has(literal.value as string))));
    if (!this.check('constant', () => ok)) this.fail();
    this.index++;
    const value = isNumber ? (sign === -1 ? -(literal.value as number) : literal.value)
      : literal.kind === 'string' ? literal.value : LITERAL_KEYWORDS.get(literal.value as string);
    return { kind: 'literal', value, ...this.span(token) };
  }

  private isCallStart(): boolean {
    const next = this.tokens[this.index + 1];
    return this.peek().kind === 'identifier' && next?.kind === 'symbol' && next.text === '(';
  }

  private parseCall(): CallExpr {
    const start = this.peek();
    const name = start.text;
    this.index += 2;
    const args: Expr[] = [];
    if (!this.acceptSymbol(')')) {
      do args.push(this.parseExpression());
      while (this.acceptSymbol(','));
      this.expectSymbol(')');
    }
    const nameSpan: Span = { position: start.position, length: start.length };
    return { kind: 'call', name, nameSpan, args, ...this.span(start) };
  }

  private parsePath(): PathExpr {
    const start = this.peek();
    const segments = [this.parseName('path')];
    while (this.acceptSymbol('.')) segments.push(this.parseName());
    return { kind: 'path', segments, ...this.span(start) };
  }

  private parseName(label = 'name'): string {
    const token = this.peek();
    if (!this.check(label, (t) => t.kind === 'identifier' || t.kind === 'escapedName')) this.fail();
    this.index++;
    return token.value as string;
  }

  private binary(op: BinaryOp, left: Expr, right: Expr): Expr {
    return { kind: 'binary', op, left, right, position: left.position,
      length: right.position + right.length - left.position };
  }
}
