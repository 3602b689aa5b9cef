import type { JsonObject } from '../model/json.js';
import { compileExpression } from './compile.js';
import { QueryError, QuerySyntaxError } from './errors.js';
import { parse } from './parser.js';
import { validate } from './validator.js';

const PREFIX = 'SELECT * FROM devices WHERE ';

/** A compiled routing condition: true only when the condition evaluates to `true` (null/undefined count as false). */
export type Condition = (document: JsonObject) => boolean;

/**
 * Compiles a routing condition (iothub-protocol-2.md §6.3): the grammar of a twin query's WHERE clause, evaluated per
 * message against a document of `$`-system properties, application properties, `$body` and `$twin`. Errors are the
 * query engine's, with positions in the condition text.
 */
export function compileCondition(text: string): Condition {
  const source = text.trim() === '' ? 'true' : text;
  let ast;
  try {
    ast = parse(PREFIX + source);
  } catch (error) {
    throw shifted(error);
  }
  const [first] = validate(ast);
  if (first) throw shifted(first);
  if (!ast.where) return () => true;
  const evaluate = compileExpression(ast.where);
  return (document) => evaluate(document) === true;
}

/** The error with its position moved from the wrapped query to the condition text. */
function shifted(error: unknown): unknown {
  if (!(error instanceof QueryError)) return error;
  const position = Math.max(0, error.position - PREFIX.length);
  const message = error.message.replace(/at position (\d+)/, (_, at: string) => `at position ${Math.max(0, Number(at) - PREFIX.length)}`);
  if (error instanceof QuerySyntaxError) return new QuerySyntaxError(message, position, error.length, error.expected);
  const Kind = error.constructor as new (message: string, position: number, length: number) => QueryError;
  return new Kind(message, position, error.length);
}
