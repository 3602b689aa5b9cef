import { argumentInvalid } from '../../errors/catalogue.js';
import { isJsonObject, type JsonValue } from '../../model/json.js';
import { METHOD_LIMITS } from '../../services/method-service.js';
import type { DigitalTwinCommand } from '../../services/digital-twins/digital-twin-service.js';
import type { DigitalTwinOperation } from '../../services/digital-twins/digital-twin-patch.js';
import { deviceIdOf } from './request-input.js';
import type { RestRequest } from './rest-types.js';

// Turns digital twin REST input (iothub-protocol-2.md §9.2-9.4) into typed values (house-style H8).

const OPS: readonly DigitalTwinOperation['op'][] = ['add', 'replace', 'remove'];
const COMMAND_NAME = /^[!#%&'+\-.0-9A-Z^_`a-z|~]+$/;

/** The JSON Patch body of `PATCH /digitaltwins/{id}`: a non-empty array of add/replace/remove operations. */
export function digitalTwinPatchOf(request: RestRequest): DigitalTwinOperation[] {
  const body = request.body;
  if (!Array.isArray(body) || body.length === 0) throw argumentInvalid('The body must be a JSON Patch: a non-empty array of {"op", "path", "value"}.');
  return body.map((entry, index) => {
    if (!isJsonObject(entry)) throw argumentInvalid(`Operation ${index} must be a JSON object.`);
    const op = entry.op;
    if (typeof op !== 'string' || !OPS.includes(op as DigitalTwinOperation['op'])) {
      throw argumentInvalid(`Operation ${index}: op '${String(op)}' is not supported; use add, replace or remove.`);
    }
    const path = entry.path;
    if (typeof path !== 'string' || !path.startsWith('/') || path === '/') throw argumentInvalid(`Operation ${index}: path must be a JSON Pointer such as /targetTemperature.`);
    const segments = path.slice(1).split('/').map((segment) => segment.replaceAll('~1', '/').replaceAll('~0', '~'));
    if (segments.some((segment) => segment === '')) throw argumentInvalid(`Operation ${index}: the path '${path}' has an empty segment.`);
    if (op !== 'remove' && entry.value === undefined) throw argumentInvalid(`Operation ${index}: ${op} needs a value.`);
    return { op: op as DigitalTwinOperation['op'], path: segments, ...(op === 'remove' ? {} : { value: entry.value as JsonValue }) };
  });
}

/** A command call: names from the path, payload = the JSON body, timeouts from the query string (§9.4). */
export function digitalTwinCommandOf(request: RestRequest): DigitalTwinCommand {
  const deviceId = deviceIdOf(request);
  const commandName = request.params.commandName ?? '';
  if (!COMMAND_NAME.test(commandName)) throw argumentInvalid(`The command name '${commandName}' is invalid.`);
  const component = request.params.componentName;
  if (component !== undefined && !/^[A-Za-z][A-Za-z0-9_]{0,63}$/.test(component)) throw argumentInvalid(`The component name '${component}' is invalid.`);
  return {
    deviceId,
    ...(component === undefined ? {} : { component }),
    commandName,
    payload: (request.body ?? null) as JsonValue,
    responseTimeoutInSeconds: secondsOf(request, 'responseTimeoutInSeconds', METHOD_LIMITS.responseTimeout),
    connectTimeoutInSeconds: secondsOf(request, 'connectTimeoutInSeconds', METHOD_LIMITS.connectTimeout),
  };
}

function secondsOf(request: RestRequest, name: string, range: { min: number; max: number; default: number }): number {
  const text = request.query.get(name);
  if (text === null || text === '') return range.default;
  const value = Number(text);
  if (!Number.isInteger(value) || value < range.min || value > range.max) {
    throw argumentInvalid(`${name} must be an integer from ${range.min} to ${range.max}, got '${text}'.`);
  }
  return value;
}
