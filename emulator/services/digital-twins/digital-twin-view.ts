import { argumentInvalid } from '../../errors/catalogue.js';
import { isJsonObject, type JsonObject, type JsonValue } from '../../model/json.js';
import { getOwn, setOwn } from '../../util/own-keys.js';

/** DTDL property and component names (iothub-protocol-2.md §9.2): a letter, then letters, digits, `_`; ≤ 64. */
const DTDL_NAME = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;

/** True when a twin object is a Plug and Play component (`"__t": "c"`, §9.1). */
export function isComponent(value: JsonValue | undefined): value is JsonObject {
  return isJsonObject(value) && getOwn(value, '__t') === 'c';
}

/**
 * The digital twin of a device (`GET /digitaltwins/{id}`, iothub-protocol-2.md §9.2) from its service twin:
 * `$dtId`, reported values at the root or inside their component (an acknowledged writable property shows its
 * `value`), and `$metadata` with `$model` and per property `desiredValue`/`desiredVersion` (from desired),
 * `ackCode`/`ackVersion`/`ackDescription` (from the reported ack) and `lastUpdateTime`. A twin key that is not a DTDL
 * name is 400, as on IoT Hub.
 */
export function digitalTwinView(twin: JsonObject): JsonObject {
  const properties = isJsonObject(twin.properties) ? twin.properties : {};
  const desired = isJsonObject(properties.desired) ? properties.desired : {};
  const reported = isJsonObject(properties.reported) ? properties.reported : {};
  const view: JsonObject = { $dtId: String(twin.deviceId) };
  const metadata: JsonObject = {};
  if (typeof twin.modelId === 'string' && twin.modelId !== '') metadata.$model = twin.modelId;
  const level = { desired, reported, desiredMeta: metaOf(desired), reportedMeta: metaOf(reported) };
  for (const name of namesOf(desired, reported)) {
    const d = getOwn(desired, name);
    const r = getOwn(reported, name);
    if (isComponent(d) || isComponent(r)) {
      const inner: JsonObject = {};
      const innerMeta: JsonObject = {};
      const desiredInner = isJsonObject(d) ? d : {};
      const reportedInner = isJsonObject(r) ? r : {};
      const innerLevel = {
        desired: desiredInner, reported: reportedInner,
        desiredMeta: childMeta(level.desiredMeta, name), reportedMeta: childMeta(level.reportedMeta, name),
      };
      for (const property of namesOf(desiredInner, reportedInner)) addProperty(inner, innerMeta, innerLevel, property, desired.$version);
      inner.$metadata = innerMeta;
      setOwn(view, name, inner);
      continue;
    }
    addProperty(view, metadata, level, name, desired.$version);
  }
  view.$metadata = metadata;
  return view;
}

interface Level {
  readonly desired: JsonObject;
  readonly reported: JsonObject;
  readonly desiredMeta: JsonObject;
  readonly reportedMeta: JsonObject;
}

function addProperty(target: JsonObject, metadata: JsonObject, level: Level, name: string, desiredVersion: JsonValue | undefined): void {
  const entry: JsonObject = {};
  const d = getOwn(level.desired, name);
  const r = getOwn(level.reported, name);
  const desiredMeta = childMeta(level.desiredMeta, name);
  const reportedMeta = childMeta(level.reportedMeta, name);
  if (d !== undefined) {
    entry.desiredValue = d;
    const version = desiredMeta.$lastUpdatedVersion;
    entry.desiredVersion = typeof version === 'number' ? version : desiredVersion ?? null;
  }
  if (r !== undefined) {
    if (isAck(r)) {
      if (getOwn(r, 'value') !== undefined) setOwn(target, name, getOwn(r, 'value') as JsonValue);
      entry.ackVersion = getOwn(r, 'av') ?? null;
      entry.ackCode = getOwn(r, 'ac') ?? null;
      if (getOwn(r, 'ad') !== undefined) entry.ackDescription = getOwn(r, 'ad') as JsonValue;
    } else {
      setOwn(target, name, r);
    }
  }
  const time = (r !== undefined ? reportedMeta.$lastUpdated : undefined) ?? desiredMeta.$lastUpdated;
  if (typeof time === 'string') entry.lastUpdateTime = time;
  setOwn(metadata, name, entry);
}

/** A reported writable-property acknowledgement `{value, ac, av[, ad]}` (§9.1). */
function isAck(value: JsonValue): value is JsonObject {
  return isJsonObject(value) && typeof getOwn(value, 'ac') === 'number' && getOwn(value, 'av') !== undefined;
}

/** The property names of a level (desired first, then reported), each checked against the DTDL name rules. */
function namesOf(desired: JsonObject, reported: JsonObject): string[] {
  const names = new Set<string>();
  for (const source of [desired, reported]) {
    for (const [name, value] of Object.entries(source)) {
      if (name.startsWith('$') || name === '__t') continue;
      if (!DTDL_NAME.test(name) || Array.isArray(value)) {
        throw argumentInvalid(`'${name}' exists within the device twin and is not digital twin conformant property. Please refer to the DTDL property naming rules (a letter, then letters, digits or _, at most 64 characters; no arrays).`);
      }
      names.add(name);
    }
  }
  return [...names];
}

function metaOf(section: JsonObject): JsonObject {
  const meta = getOwn(section, '$metadata');
  return isJsonObject(meta) ? meta : {};
}

function childMeta(meta: JsonObject, name: string): JsonObject {
  const child = getOwn(meta, name);
  return isJsonObject(child) ? child : {};
}
