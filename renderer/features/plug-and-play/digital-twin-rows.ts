import type { JsonObject, JsonValue } from '../../../emulator/model/json.js';

/** One property of a digital twin as the Plug and Play view lists it. */
export interface PropertyRow {
  /** `name` or `component.name`. */
  readonly name: string;
  readonly value?: JsonValue;
  readonly desiredValue?: JsonValue;
  readonly desiredVersion?: number;
  readonly ackVersion?: number;
  readonly ackCode?: number;
  readonly ackDescription?: string;
  /** `synced`: the device acknowledged the current desired version with 2xx; `pending`: not yet; `rejected`: it answered ≥ 400. */
  readonly state: 'synced' | 'pending' | 'rejected' | 'reported';
}

function isObject(value: JsonValue | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The rows of a digital twin (`GET /digitaltwins/{id}` shape): root properties, then each component's. */
export function propertyRows(twin: JsonObject): PropertyRow[] {
  const rows: PropertyRow[] = [];
  const collect = (level: JsonObject, prefix: string) => {
    const metadata = isObject(level.$metadata) ? level.$metadata : {};
    for (const [name, meta] of Object.entries(metadata)) {
      if (name.startsWith('$') || !isObject(meta)) continue;
      rows.push(rowOf(`${prefix}${name}`, level[name], meta));
    }
  };
  collect(twin, '');
  for (const [name, value] of Object.entries(twin)) {
    if (!name.startsWith('$') && isObject(value) && isObject(value.$metadata)) collect(value, `${name}.`);
  }
  return rows;
}

function rowOf(name: string, value: JsonValue | undefined, meta: JsonObject): PropertyRow {
  const number = (key: string) => (typeof meta[key] === 'number' ? (meta[key] as number) : undefined);
  const desiredVersion = number('desiredVersion');
  const ackVersion = number('ackVersion');
  const ackCode = number('ackCode');
  let state: PropertyRow['state'] = 'reported';
  if (desiredVersion !== undefined) {
    if (ackVersion === undefined || ackVersion < desiredVersion) state = 'pending';
    else state = ackCode !== undefined && ackCode >= 400 ? 'rejected' : 'synced';
  }
  return {
    name,
    ...(value === undefined ? {} : { value }),
    ...(meta.desiredValue === undefined ? {} : { desiredValue: meta.desiredValue }),
    ...(desiredVersion === undefined ? {} : { desiredVersion }),
    ...(ackVersion === undefined ? {} : { ackVersion }),
    ...(ackCode === undefined ? {} : { ackCode }),
    ...(typeof meta.ackDescription === 'string' ? { ackDescription: meta.ackDescription } : {}),
    state,
  };
}
