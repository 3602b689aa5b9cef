/**
 * Public surface of the IoT Hub query engine (std code: usable by the hub and, for live syntax checks, by the
 * renderer). See README.md for the grammar, the supported surface and the semantics chosen where the hub's
 * behaviour is unconfirmed.
 */
import type { QueryAst } from './ast.js';
import { QueryError } from './errors.js';
import { createCompiledQuery, type CompiledQuery } from './execute.js';
import { parse } from './parser.js';
import { validate } from './validator.js';

export type {
  ArrayExpr, AstNode, BinaryExpr, BinaryOp, CallExpr, Expr, FromClause, LiteralExpr, PathExpr, Projection,
  QueryAst, SelectClause, Span, UnaryExpr, UnaryOp,
} from './ast.js';
export type { Collection } from './validator.js';
export type { CompiledQuery, QueryItemType, QueryPage, RunOptions, StreamOptions } from './execute.js';
export type { PagePosition, RowPosition, ScanPosition } from './continuation.js';
export type { SlotRange, StreamedPage } from './stream-page.js';
export { print } from './ast.js';
export { compileCondition, type Condition } from './condition.js';
export { quoteName, quotePath, quoteString } from './quote.js';
export { MAX_QUERY_LENGTH } from './parser.js';
export { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from './execute.js';
export {
  QueryContinuationError, QueryError, QueryNotSupportedError, QuerySemanticError, QuerySyntaxError,
} from './errors.js';

/** A problem found by `checkQuery`, ready to underline in an editor. */
export interface QueryDiagnostic {
  readonly message: string;
  /** 0-based character offset. */
  readonly position: number;
  readonly length: number;
  readonly severity: 'error';
}

/** Parses query text into an AST. Throws QuerySyntaxError with position, length and what was expected. */
export function parseQuery(text: string): QueryAst {
  return parse(text);
}

/**
 * Parses, validates and compiles a query once; the result runs over any iterable of service-shape twins.
 * Throws QuerySyntaxError, QuerySemanticError or QueryNotSupportedError (all extend QueryError).
 */
export function compileQuery(text: string): CompiledQuery {
  const ast = parse(text);
  const [first] = validate(ast);
  if (first) throw first;
  return createCompiledQuery(text, ast);
}

/** Checks a query as the user types; never throws. An empty array means the query would run. */
export function checkQuery(text: string): QueryDiagnostic[] {
  try {
    return validate(parse(text)).map(toDiagnostic);
  } catch (error) {
    if (error instanceof QueryError) return [toDiagnostic(error)];
    const message = error instanceof Error ? error.message : String(error);
    return [{ message: `Internal error while checking the query: ${message}`, position: 0, length: text.length, severity: 'error' }];
  }
}

function toDiagnostic(error: QueryError): QueryDiagnostic {
  return { message: error.message, position: error.position, length: error.length, severity: 'error' };
}
