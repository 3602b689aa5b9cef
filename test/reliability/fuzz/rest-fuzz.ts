import type { Prng } from '../support/prng.js';
import type { ChildRequest } from '../support/child-rest.js';
import { jsonText } from './json-fuzz.js';
import { mutateToken } from './mqtt-fuzz.js';

// Random service REST calls (iothub-protocol.md §8-§9): known routes with odd ids and bodies, unknown routes,
// broken query strings and headers, fuzzed authorization. Ids are drawn so that no call can touch the devices the
// campaign checks for integrity.

const ID_CHARS = 'abc-019_:.%+@$!*()\'/ é';
const QUERIES = [
  'SELECT * FROM devices',
  "SELECT * FROM devices WHERE tags.x = 'y'",
  'SELECT COUNT() AS n FROM devices GROUP BY tags.a',
  'SELECT deviceId FROM devices.modules',
  'SELECT * FROM devices WHERE properties.reported.a > 1 AND (',
  "SELECT * FROM devices WHERE deviceId IN ['a', 'b']",
  'SELECT TOP 1 * FROM devices',
  'DELETE FROM devices',
  '',
];

/** A device id for REST fuzzing: the `rf-` family, or random text that is never one of `protectedIds`. */
export function fuzzDeviceId(rng: Prng, protectedIds: readonly string[]): string {
  if (rng.chance(0.6)) return `rf-${rng.int(0, 5)}`;
  const id = rng.text(rng.int(0, 140), ID_CHARS);
  return protectedIds.includes(id) ? `rf-${id}` : id;
}

/** Routes with the methods the hub serves on them (iothub-protocol.md §8.2), plus ones it does not have. */
function route(rng: Prng, id: string): { path: string; methods: readonly string[] } {
  const encoded = rng.chance(0.7) ? encodeURIComponent(id) : id;
  return rng.pick([
    { path: `/devices/${encoded}`, methods: ['GET', 'PUT', 'DELETE'] },
    { path: rng.pick(['/devices', '/devices/']), methods: ['GET', 'POST'] },
    { path: `/twins/${encoded}`, methods: ['GET', 'PATCH', 'PUT'] },
    { path: `/twins/${encoded}/methods`, methods: ['POST'] },
    { path: `/devices/${encoded}/commands`, methods: ['DELETE'] },
    { path: `/devices/${encoded}/modules/${encoded}`, methods: ['GET', 'PUT', 'DELETE'] },
    { path: `/twins/${encoded}/modules/m1`, methods: ['GET', 'PATCH', 'PUT'] },
    { path: '/devices/query', methods: ['POST'] },
    { path: '/devices/query', methods: ['POST'] },
    { path: rng.pick(['/statistics/devices', '/statistics/service']), methods: ['GET'] },
    { path: rng.pick(['/jobs/v2', `/${rng.text(rng.int(0, 30), ID_CHARS)}`, '/../../etc/passwd', `/twins/${'a'.repeat(rng.pick([129, 5000]))}`]), methods: ['GET'] },
  ]);
}

function queryString(rng: Prng): string {
  const parts = [rng.pick(['api-version=2021-04-12', 'api-version=', 'api-version=%zz', '', 'top=-1', 'top=99999', 'top=abc', '%', '&&', `x=${'y'.repeat(3000)}`])];
  if (rng.chance(0.3)) parts.push('api-version=2020-09-30');
  return parts.filter((part) => part !== '').join('&');
}

function body(rng: Prng, route: string): string | undefined {
  if (rng.chance(0.15)) return undefined;
  if (route === '/devices/query' && rng.chance(0.7)) return JSON.stringify({ query: rng.chance(0.8) ? rng.pick(QUERIES) : jsonText(rng) });
  if (route.startsWith('/twins/') && rng.chance(0.5)) return JSON.stringify({ tags: rng.chance(0.5) ? { t: 1 } : null, properties: { desired: JSON.parse(jsonText(rng).startsWith('{') ? safe(jsonText(rng)) : '{}') } });
  if (rng.chance(0.05)) return 'z'.repeat(rng.pick([300_000, 1_100_000]));
  return jsonText(rng);
}

function safe(text: string): string {
  try {
    JSON.parse(text);
    return text;
  } catch {
    return '{}';
  }
}

/** One random REST call. `validToken` is a working iothubowner token, mutated or dropped at random. */
export function restCall(rng: Prng, validToken: string, protectedIds: readonly string[]): ChildRequest {
  const id = fuzzDeviceId(rng, protectedIds);
  const target = route(rng, id);
  const method = rng.chance(0.85) ? rng.pick(target.methods) : rng.pick(['GET', 'PUT', 'PATCH', 'POST', 'DELETE', 'HEAD', 'OPTIONS', 'TRACE']);
  const query = queryString(rng);
  const headers: Record<string, string> = {};
  if (rng.chance(0.4)) headers['if-match'] = rng.pick(['*', '"*"', '"AAAAAAAAAAE="', 'W/"x"', '""', '"', 'x'.repeat(1000)]);
  if (rng.chance(0.2)) headers['content-type'] = rng.pick(['text/plain', 'application/json', 'application/xml', '']);
  if (rng.chance(0.1)) headers['request-id'] = rng.text(rng.int(0, 50), ID_CHARS.replace(/[^\x20-\x7e]/g, ''));
  const roll = rng.int(0, 9);
  const authorization = roll < 8 ? validToken : roll === 8 ? mutateToken(rng, validToken).token : rng.pick([null, 'Bearer x', '']);
  const text = body(rng, target.path);
  return {
    method,
    path: query === '' ? target.path : `${target.path}?${query}`,
    ...(text === undefined ? {} : { body: text }),
    headers,
    authorization: authorization === null ? null : authorization.replace(/[^\x20-\x7e]/g, '?'),
  };
}
