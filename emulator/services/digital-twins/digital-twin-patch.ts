import { argumentInvalid } from '../../errors/catalogue.js';
import { isJsonObject, type JsonObject, type JsonValue } from '../../model/json.js';
import { getOwn } from '../../util/own-keys.js';
import { setPath, valueAt } from '../configurations/configuration-content.js';
import { isComponent } from './digital-twin-view.js';

/** One JSON Patch operation the digital twin API takes (RFC 6902 `add`, `replace`, `remove`). */
export interface DigitalTwinOperation {
  readonly op: 'add' | 'replace' | 'remove';
  /** The JSON Pointer, split and unescaped (`/thermostat1/targetTemperature` → two segments). */
  readonly path: readonly string[];
  readonly value?: JsonValue;
}

/**
 * Turns a digital twin JSON Patch into one desired-properties merge patch (iothub-protocol-2.md §9.3): `add` and
 * `replace` set the desired property, `remove` sets it to null; a path into a component (a twin object marked
 * `"__t":"c"`, or a name the twin does not have yet) writes the component with its marker; adding a whole
 * component clears its desired properties that the new value does not list. `replace` of a property the twin does
 * not have is 400.
 */
export function desiredPatchOf(operations: readonly DigitalTwinOperation[], desired: JsonObject, reported: JsonObject): JsonObject {
  const patch: JsonObject = {};
  for (const operation of operations) {
    const [first, ...rest] = operation.path;
    if (first === undefined) throw argumentInvalid('A digital twin patch path cannot be the root.');
    const existing = getOwn(desired, first) ?? getOwn(reported, first);
    if (operation.op === 'replace' && valueAt(desired, operation.path) === undefined && valueAt(reported, operation.path) === undefined) {
      throw argumentInvalid(`The property '/${operation.path.join('/')}' does not exist, so it cannot be replaced; use add.`);
    }
    const value = operation.op === 'remove' ? null : (operation.value ?? null);
    const component = rest.length > 0 ? isComponent(existing) || existing === undefined : isComponent(existing) || isComponentValue(value);
    if (component && rest.length === 0) {
      setPath(patch, [first], componentReplacement(value, getOwn(desired, first)));
    } else {
      if (component) setPath(patch, [first, '__t'], 'c');
      setPath(patch, operation.path, value);
    }
  }
  return patch;
}

/** A whole component written with add/replace carries `"$metadata": {}` (§9.3). */
function isComponentValue(value: JsonValue): boolean {
  return isJsonObject(value) && isJsonObject(getOwn(value, '$metadata'));
}

function componentReplacement(value: JsonValue, before: JsonValue | undefined): JsonValue {
  if (value === null) return null;
  if (!isJsonObject(value)) throw argumentInvalid('A component value must be a JSON object.');
  const next: JsonObject = { __t: 'c' };
  if (isJsonObject(before)) for (const name of Object.keys(before)) if (name !== '__t' && !name.startsWith('$')) next[name] = null;
  for (const [name, inner] of Object.entries(value)) if (name !== '$metadata') next[name] = inner;
  return next;
}
