/**
 * Stage 3 (house-style H12): semantic checks on a parsed query. Returns every problem found (the query console
 * shows them all); `compileQuery` throws the first. Rules (iothub-protocol.md §9.2-9.3):
 * - FROM devices | devices.modules | devices.jobs (one row per device and scheduled job, iothub-protocol-2.md §7.4;
 *   its fields are named plainly or as `devices.jobs.<field>`);
 * - only COUNT/AVG/SUM/MIN/MAX in SELECT; COUNT() takes no argument, the others one property path;
 * - aggregates cannot be mixed with plain properties unless those are the GROUP BY property;
 * - GROUP BY only with FROM devices and a select list (not *);
 * - WHERE uses known scalar functions with the right number of arguments, never aggregates;
 * - output column names are unique.
 */
import type { CallExpr, Expr, Projection, QueryAst, Span } from './ast.js';
import { QuerySemanticError, type QueryError } from './errors.js';
import { lookupFunction, paramType, type FunctionSignature } from './functions.js';
import { canonicalPath, samePath } from './twin-paths.js';

/** The collections a query may read. */
export type Collection = 'devices' | 'devices.modules' | 'devices.jobs';

/** Checks `ast`; an empty array means the query can be compiled. */
export function validate(ast: QueryAst): QueryError[] {
  const errors: QueryError[] = [];
  const report = (message: string, span: Span): void => {
    errors.push(new QuerySemanticError(message, span.position, span.length));
  };
  const collection = ast.from.collection.toLowerCase();
  if (collection !== 'devices' && collection !== 'devices.modules' && collection !== 'devices.jobs') {
    report(`Unknown collection '${ast.from.collection}': expected devices, devices.modules or devices.jobs`, ast.from);
  }
  checkSelect(ast, collection, report);
  if (ast.where) walk(ast.where, (expr) => checkCondition(expr, report));
  return errors;
}

/** The collection of a validated query, in canonical case. */
export function collectionOf(ast: QueryAst): Collection {
  const collection = ast.from.collection.toLowerCase();
  return collection === 'devices.modules' || collection === 'devices.jobs' ? collection : 'devices';
}

/**
 * Output key of each projection: the alias, else the last path segment (canonical case for twin fields), else
 * `$1`, `$2`, … for unaliased aggregates, numbered in order (iothub-protocol.md §9.3 [U]; Cosmos-style names).
 */
export function projectionKeys(projections: readonly Projection[]): string[] {
  let unnamed = 0;
  return projections.map((p) => {
    if (p.alias !== undefined) return p.alias;
    if (p.expr.kind === 'path') return canonicalPath(p.expr.segments).at(-1) ?? '';
    unnamed++;
    return `$${unnamed}`;
  });
}

type Report = (message: string, span: Span) => void;

function checkSelect(ast: QueryAst, collection: string, report: Report): void {
  const { select, groupBy } = ast;
  if (groupBy && collection !== 'devices') report('GROUP BY is only supported with FROM devices', groupBy);
  if (groupBy && select.star) report('GROUP BY needs a select list of the grouped property and aggregates, not *', groupBy);
  const hasAggregate = select.projections.some((p) => p.expr.kind === 'call');
  for (const projection of select.projections) {
    const expr = projection.expr;
    if (expr.kind === 'call') {
      checkAggregateCall(expr, report);
    } else if (groupBy && !samePath(expr.segments, groupBy.segments)) {
      report(`'${expr.segments.join('.')}' must be the GROUP BY property or an aggregate`, expr);
    } else if (!groupBy && hasAggregate) {
      report(`'${expr.segments.join('.')}' cannot be selected next to an aggregate without GROUP BY`, expr);
    }
  }
  const keys = projectionKeys(select.projections);
  keys.forEach((key, i) => {
    const projection = select.projections[i];
    if (projection && keys.indexOf(key) !== i) {
      report(`Duplicate column name '${key}': give one of the columns another name with AS`, projection);
    }
  });
}

function checkAggregateCall(call: CallExpr, report: Report): void {
  const signature = lookupFunction(call.name);
  if (!signature) {
    report(`Unknown function '${call.name}'`, call.nameSpan);
  } else if (signature.kind !== 'aggregate') {
    report(`${signature.name} cannot be used in SELECT; only the aggregates COUNT, AVG, SUM, MIN and MAX can`,
      call.nameSpan);
  } else if (signature.name === 'COUNT' && call.args.length > 0) {
    report('COUNT takes no arguments: write COUNT()', call);
  } else if (signature.name !== 'COUNT' && (call.args.length !== 1 || call.args[0]?.kind !== 'path')) {
    report(`${signature.name} expects exactly one property path, e.g. ${signature.name}(properties.reported.x)`, call);
  }
}

function checkScalarCall(call: CallExpr, report: Report): void {
  const signature = lookupFunction(call.name);
  if (!signature) {
    report(`Unknown function '${call.name}'`, call.nameSpan);
    return;
  }
  if (signature.kind === 'aggregate') {
    report(`Aggregate ${signature.name} can only be used in SELECT, not in WHERE`, call.nameSpan);
    return;
  }
  if (call.args.length < signature.minArgs || call.args.length > signature.maxArgs) {
    report(`${signature.name} expects ${arity(signature)} but got ${call.args.length}`, call);
    return;
  }
  call.args.forEach((arg, i) => checkArgumentType(signature, i, arg, report));
}

function checkArgumentType(signature: FunctionSignature, index: number, arg: Expr, report: Report): void {
  const wanted = paramType(signature, index);
  if ((wanted !== 'number' && wanted !== 'string') || (arg.kind !== 'literal' && arg.kind !== 'array')) return;
  const actual = arg.kind === 'array' ? 'array' : arg.value === null ? 'null' : typeof arg.value;
  if (actual !== wanted) report(`Argument ${index + 1} of ${signature.name} must be a ${wanted}, not ${actual}`, arg);
}

function arity(signature: FunctionSignature): string {
  const plural = (n: number): string => `${n} argument${n === 1 ? '' : 's'}`;
  if (signature.maxArgs === Number.POSITIVE_INFINITY) return `at least ${plural(signature.minArgs)}`;
  return plural(signature.minArgs);
}

function checkCondition(expr: Expr, report: Report): void {
  if (expr.kind === 'call') checkScalarCall(expr, report);
  if (expr.kind === 'binary' && (expr.op === 'in' || expr.op === 'nin') && expr.right.kind === 'literal') {
    report(`${expr.op.toUpperCase()} needs an array on its right, e.g. x ${expr.op.toUpperCase()} ['a', 'b']`, expr.right);
  }
}

/** Visits every node of an expression, parents first. */
function walk(expr: Expr, visit: (expr: Expr) => void): void {
  visit(expr);
  switch (expr.kind) {
    case 'call': expr.args.forEach((arg) => walk(arg, visit)); return;
    case 'unary': walk(expr.operand, visit); return;
    case 'binary': walk(expr.left, visit); walk(expr.right, visit); return;
    case 'array': expr.items.forEach((item) => walk(item, visit)); return;
    case 'literal': case 'path': return;
  }
}
