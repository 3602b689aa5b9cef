import type { TrafficRow } from '../traffic/traffic-buffer.js';

/** One numeric field of a device's telemetry: its latest value and its points (oldest first). */
export interface TelemetryField {
  readonly path: string;
  readonly latest: number;
  readonly latestTime: number;
  readonly times: readonly number[];
  readonly values: readonly number[];
}

function collect(value: unknown, path: string, out: Map<string, number>, depth: number): void {
  if (typeof value === 'number' && Number.isFinite(value)) out.set(path, value);
  else if (typeof value === 'boolean') out.set(path, value ? 1 : 0);
  else if (value && typeof value === 'object' && !Array.isArray(value) && depth < 4) {
    for (const [key, child] of Object.entries(value)) collect(child, path ? `${path}.${key}` : key, out, depth + 1);
  }
}

/**
 * The numeric fields (nested objects flattened to `a.b`, booleans as 0/1) of a device's telemetry messages that
 * arrived since `since` (ms since the epoch), from the traffic the studio keeps. Messages that are not JSON objects
 * (or whose preview was cut) are skipped.
 */
export function telemetryFields(rows: readonly TrafficRow[], deviceId: string, since: number): TelemetryField[] {
  const fields = new Map<string, { times: number[]; values: number[] }>();
  for (const row of rows) {
    const event = row.request;
    if (event.kind !== 'telemetry' || event.direction !== 'in' || event.deviceId !== deviceId || event.truncated) continue;
    const time = Date.parse(event.time);
    if (!(time >= since)) continue;
    let body: unknown;
    try {
      body = JSON.parse(event.payload);
    } catch {
      continue;
    }
    const values = new Map<string, number>();
    collect(body, '', values, 0);
    for (const [path, value] of values) {
      const series = fields.get(path) ?? { times: [], values: [] };
      fields.set(path, series);
      series.times.push(time);
      series.values.push(value);
    }
  }
  return [...fields]
    .map(([path, series]) => ({ path, latest: series.values.at(-1) as number, latestTime: series.times.at(-1) as number, ...series }))
    .sort((a, b) => a.path.localeCompare(b.path));
}

/**
 * uPlot's data for several fields on one time axis (seconds): the union of their times, `null` where a field has
 * no point at a time.
 */
export function chartData(fields: readonly TelemetryField[]): [number[], ...(number | null)[][]] {
  const times = [...new Set(fields.flatMap((field) => field.times))].sort((a, b) => a - b);
  const index = new Map(times.map((time, i) => [time, i]));
  const columns = fields.map((field) => {
    const column: (number | null)[] = new Array<number | null>(times.length).fill(null);
    field.times.forEach((time, i) => (column[index.get(time) as number] = field.values[i] as number));
    return column;
  });
  return [times.map((time) => time / 1000), ...columns];
}
