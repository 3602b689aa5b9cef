import { decodePercentLenient } from './percent-decoding.js';

/** What an MQTT CONNECT username (plus ClientId) says about the connecting identity (iothub-protocol.md §3.1). */
export interface MqttUsername {
  /** Everything before the first `/`, as sent (may carry `:port`). The caller compares it case-insensitively. */
  hostName: string;
  /** The ClientId, `<deviceId>` or `<deviceId>/<moduleId>`. */
  clientId: string;
  deviceId: string;
  /** Present for a module identity. */
  moduleId?: string;
  /** `api-version` parameter, if any. Any value is accepted (§0). */
  apiVersion?: string;
  /** `model-id` parameter (raw or percent-encoded DTMI), if any; becomes the twin `modelId` (§3.1, checklist 4). */
  modelId?: string;
  /** Every parameter after the identity, percent-decoded leniently; the first occurrence of a key wins. */
  params: Record<string, string>;
}

/** Result of {@link parseMqttUsername}; parsing never throws (house-style H8). */
export type MqttUsernameParseResult = { ok: true; value: MqttUsername } | { ok: false; error: string };

/**
 * Parses the CONNECT username against the ClientId, which is authoritative (iothub-protocol.md §3.1 "Parsing rule for
 * the emulator"; checklist items 2-4):
 * - ClientId is `<d>` or `<d>/<m>`;
 * - the username must be `<host>/<clientId>`, optionally followed by `/` and parameters; `host` is everything before
 *   the first `/` (compared case-insensitively by the caller);
 * - parameters are `&`-separated `key=value` pairs with an optional leading `?` (so `/api-version=…` without `?` is
 *   accepted), percent-decoded leniently; raw `:`/`;` in `model-id` are fine; unknown keys are kept in `params` only.
 *
 * Device ids may contain `?`, `=`, `@`, `:` (§10), so the username is matched against the ClientId prefix first and
 * never split on `?` before that.
 */
export function parseMqttUsername(username: string, clientId: string): MqttUsernameParseResult {
  const identity = splitClientId(clientId);
  if (!identity.ok) return identity;
  const slash = username.indexOf('/');
  if (slash <= 0) return fail('the MQTT username must start with "<host>/<clientId>"');
  const hostName = username.slice(0, slash);
  const afterHost = username.slice(slash + 1);
  if (!afterHost.startsWith(clientId)) {
    return fail(`the MQTT username does not match the ClientId "${clientId}"`);
  }
  const afterClientId = afterHost.slice(clientId.length);
  // The ClientId must end at a segment boundary: `host/dev1x/…` is not device `dev1`.
  if (afterClientId !== '' && !afterClientId.startsWith('/')) {
    return fail(`the MQTT username does not match the ClientId "${clientId}"`);
  }
  const rest = afterClientId.slice(1);
  // Only parameters may follow the identity: `host/alice/m1/?…` is not device `alice` (a module path needs the
  // module's own ClientId). `/api-version=…` without `?` stays valid, and encoded values carry no raw `/`.
  const queryStart = rest.indexOf('?');
  if (rest.slice(0, queryStart < 0 ? rest.length : queryStart).includes('/')) {
    return fail(`the MQTT username has extra path segments after the ClientId "${clientId}"`);
  }
  const params = parseParams(rest);
  const value: MqttUsername = { hostName, clientId, deviceId: identity.deviceId, params };
  if (identity.moduleId !== undefined) value.moduleId = identity.moduleId;
  const apiVersion = findParam(params, 'api-version');
  if (apiVersion !== undefined) value.apiVersion = apiVersion;
  const modelId = findParam(params, 'model-id');
  if (modelId !== undefined) value.modelId = modelId;
  return { ok: true, value };
}

type ClientIdResult = { ok: true; deviceId: string; moduleId?: string } | { ok: false; error: string };

function splitClientId(clientId: string): ClientIdResult {
  const parts = clientId.split('/');
  const [deviceId, moduleId] = parts;
  if (parts.length > 2 || deviceId === undefined || deviceId === '' || moduleId === '') {
    return fail(`ClientId "${clientId}" must be "<deviceId>" or "<deviceId>/<moduleId>"`);
  }
  return moduleId === undefined ? { ok: true, deviceId } : { ok: true, deviceId, moduleId };
}

function parseParams(text: string): Record<string, string> {
  // Null prototype: a `__proto__=` pair from the wire is just data.
  const params: Record<string, string> = Object.create(null) as Record<string, string>;
  const query = text.startsWith('?') ? text.slice(1) : text;
  for (const pair of query.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const key = decodePercentLenient(eq < 0 ? pair : pair.slice(0, eq));
    const value = eq < 0 ? '' : decodePercentLenient(pair.slice(eq + 1));
    if (key !== '' && !(key in params)) params[key] = value;
  }
  return params;
}

/** Known keys are matched case-insensitively; every SDK sends them in lower case, hand-written clients may not. */
function findParam(params: Record<string, string>, name: string): string | undefined {
  for (const key of Object.keys(params)) {
    if (key.toLowerCase() === name) return params[key];
  }
  return undefined;
}

function fail(error: string): { ok: false; error: string } {
  return { ok: false, error };
}
