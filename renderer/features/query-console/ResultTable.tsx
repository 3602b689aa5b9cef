import type { JsonObject, JsonValue } from '../../../emulator/model/json.js';

function cell(value: JsonValue | undefined): string {
  if (value === undefined) return '';
  if (value === null || typeof value !== 'object') return String(value);
  const text = JSON.stringify(value);
  return text.length > 120 ? `${text.slice(0, 117)}…` : text;
}

/** Columns in order of first appearance across the rows. */
export function columnsOf(items: readonly JsonObject[]): string[] {
  const columns = new Set<string>();
  for (const item of items) for (const key of Object.keys(item)) columns.add(key);
  return [...columns];
}

/** Query results as a table: one column per top-level key (in `columns` order when given), objects as compact JSON. */
export function ResultTable({ items, columns = columnsOf(items) }: { items: readonly JsonObject[]; columns?: readonly string[] }) {
  return (
    <div className="table-scroll">
      <table className="grid" data-testid="query-table">
        <thead>
          <tr>{columns.map((column) => <th key={column} scope="col">{column}</th>)}</tr>
        </thead>
        <tbody>
          {items.map((item, row) => (
            <tr key={row}>
              {columns.map((column) => <td key={column} title={cell(item[column])}>{cell(item[column])}</td>)}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
