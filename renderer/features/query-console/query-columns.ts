import type { JsonObject } from '../../../emulator/model/json.js';
import { parseQuery } from '../../../emulator/query/index.js';

/**
 * How a `SELECT *` table orders a twin's fields: who it is and what it holds first (id, model, tags, properties),
 * then state, then the bookkeeping (etags, versions, counters); unknown fields keep their order after these.
 */
const STAR_ORDER = [
  'deviceId', 'moduleId', 'modelId', 'tags', 'properties', 'status', 'connectionState', 'lastActivityTime', 'authenticationType',
  'capabilities', 'statusReason', 'statusUpdateTime', 'connectionStateUpdatedTime', 'cloudToDeviceMessageCount', 'x509Thumbprint',
  'version', 'etag', 'deviceEtag',
];

function appearanceOrder(items: readonly JsonObject[]): string[] {
  const columns = new Set<string>();
  for (const item of items) for (const key of Object.keys(item)) columns.add(key);
  return [...columns];
}

/** The names a select list gives its columns (alias, else the last path segment, else `$1`, `$2` for unnamed calls). */
function projectionNames(query: string): string[] | '*' | undefined {
  try {
    const { select } = parseQuery(query);
    if (select.star) return '*';
    let unnamed = 0;
    return select.projections.map((projection) => {
      if (projection.alias !== undefined) return projection.alias;
      if (projection.expr.kind === 'path') return projection.expr.segments.at(-1) ?? '';
      unnamed += 1;
      return `$${unnamed}`;
    });
  } catch {
    return undefined;
  }
}

/**
 * The table's columns: in SELECT order for a select list (a column missing from the first rows stays in its place),
 * in twin reading order for `SELECT *`; anything else the rows carry comes after, in order of appearance.
 */
export function resultColumns(query: string, items: readonly JsonObject[]): string[] {
  const present = appearanceOrder(items);
  const names = projectionNames(query);
  const preferred = names === '*' ? STAR_ORDER.filter((name) => present.includes(name)) : (names ?? []);
  const ordered = [...new Set(preferred)];
  for (const column of present) if (!ordered.includes(column)) ordered.push(column);
  return ordered;
}

/** Line and column (both 1-based) of a 0-based offset in `text`. */
export function lineAndColumn(text: string, position: number): { line: number; column: number } {
  const before = text.slice(0, Math.max(0, position));
  const lines = before.split('\n');
  return { line: lines.length, column: (lines.at(-1)?.length ?? 0) + 1 };
}

/**
 * A query problem worded with one coordinate: the engine's "at position 81" (0-based offset) becomes the same
 * "line 1, col 82" the list prefix shows, so the two never disagree.
 */
export function describeQueryProblem(text: string, position: number, message: string): string {
  const { line, column } = lineAndColumn(text, position);
  const where = `line ${line}, col ${column}`;
  const body = message.replace(/ at position \d+/, '');
  return `${where}: ${body}`;
}
