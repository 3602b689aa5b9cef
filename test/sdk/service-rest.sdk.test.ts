import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createSasToken } from '../../emulator/auth/sas-token.js';
import { openDevice, type DeviceClient } from '../helpers/device-sdk.js';
import { policyToken, rest } from '../helpers/rest-client.js';
import { startTestHub, type TestHub } from '../helpers/start-hub.js';
import { waitForSubscription } from '../helpers/wait-for.js';

// The REST API over real HTTPS sockets on an ephemeral port (no 443 needed): authorization by shared access
// policy, bad input, registry/twin/query/method wire details (iothub-protocol.md §2.3, §5.2, §7.5, §8, §9.1).

let hub: TestHub;

beforeAll(async () => {
  hub = await startTestHub({ ports: { https: 0 } });
  await hub.hub.registry.create({ deviceId: 'known' });
});

afterAll(async () => {
  await hub?.dispose();
});

/** The hub's error envelope 1 and header. */
function expectHubError(reply: Awaited<ReturnType<typeof rest>>, status: number, code: string): void {
  expect(reply.status).toBe(status);
  expect(reply.headers['iothub-errorcode']).toBe(code);
  expect(reply.headers['content-type']).toBe('application/json; charset=utf-8');
  const body = reply.json<{ Message: string; ExceptionMessage: string }>();
  expect(body.Message.startsWith(`ErrorCode:${code};`)).toBe(true);
  expect(body.ExceptionMessage).toMatch(/^Tracking ID:/);
}

describe('authorization by shared access policy', () => {
  it('lets registryRead list devices but not create one, nor read a twin (ServiceConnect)', async () => {
    const token = policyToken(hub.hub, 'registryRead');
    expect((await rest(hub.hub, { method: 'GET', path: '/devices', authorization: token })).status).toBe(200);
    expectHubError(await rest(hub.hub, { method: 'PUT', path: '/devices/rr-made', body: { deviceId: 'rr-made' }, authorization: token }), 401, 'IotHubUnauthorizedAccess');
    expectHubError(await rest(hub.hub, { method: 'GET', path: '/twins/known', authorization: token }), 401, 'IotHubUnauthorizedAccess');
    expect(hub.hub.registry.find('rr-made')).toBeUndefined();
  });

  it('lets the service policy read twins but not write the registry', async () => {
    const token = policyToken(hub.hub, 'service');
    expect((await rest(hub.hub, { method: 'GET', path: '/twins/known', authorization: token })).status).toBe(200);
    expectHubError(await rest(hub.hub, { method: 'DELETE', path: '/devices/known', authorization: token }), 401, 'IotHubUnauthorizedAccess');
    expect(hub.hub.registry.find('known')).toBeDefined();
  });

  it('accepts registryReadWrite for writes and a token signed with the secondary key', async () => {
    const policy = hub.hub.policies().find((p) => p.keyName === 'registryReadWrite');
    const token = policyToken(hub.hub, 'registryReadWrite', { key: policy?.secondaryKey ?? '' });
    expect((await rest(hub.hub, { method: 'PUT', path: '/devices/rrw-made', body: {}, authorization: token })).status).toBe(200);
  });

  it('refuses a device-scoped token (no skn) on service APIs', async () => {
    const key = hub.hub.registry.get('known').authentication.symmetricKey.primaryKey;
    const token = createSasToken({ resourceUri: `${hub.hub.info.hostName}/devices/known`, base64Key: key, expiresAtSeconds: Math.floor(Date.now() / 1000) + 600 });
    expectHubError(await rest(hub.hub, { method: 'GET', path: '/twins/known', authorization: token }), 401, 'IotHubUnauthorizedAccess');
  });

  it('refuses a bad signature, an expired token, another hub, an unknown policy and no token', async () => {
    const other = 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=';
    const cases = [
      policyToken(hub.hub, 'iothubowner', { key: other }),
      policyToken(hub.hub, 'iothubowner', { expiresAtSeconds: Math.floor(Date.now() / 1000) - 10 }),
      policyToken(hub.hub, 'iothubowner', { resource: 'other-hub.azure-devices.net' }),
      createSasToken({ resourceUri: hub.hub.info.hostName, base64Key: other, policyName: 'nobody', expiresAtSeconds: 4_000_000_000 }),
      'Bearer abc',
      null,
    ];
    for (const authorization of cases) {
      expectHubError(await rest(hub.hub, { method: 'GET', path: '/devices', authorization }), 401, 'IotHubUnauthorizedAccess');
    }
  });

  it('accepts an upper-case host and a token scoped to a path, as IoT Explorer signs them', async () => {
    const token = policyToken(hub.hub, 'iothubowner', { resource: `${hub.hub.info.hostName.toUpperCase()}/devices/query` });
    expect((await rest(hub.hub, { method: 'GET', path: '/twins/known', authorization: token })).status).toBe(200);
  });
});

describe('bad input is refused in the hub format and stores nothing', () => {
  it('malformed JSON → 400', async () => {
    const reply = await rest(hub.hub, { method: 'PUT', path: '/devices/bad-json', body: '{"deviceId": "bad-json",' });
    expectHubError(reply, 400, 'IotHubFormatError');
    expect(hub.hub.registry.find('bad-json')).toBeUndefined();
  });

  it('a body over 256 KB → 413 MessageTooLarge', async () => {
    const body = JSON.stringify({ properties: { desired: { blob: 'x'.repeat(300 * 1024) } } });
    const reply = await rest(hub.hub, { method: 'PATCH', path: '/twins/known', body });
    expectHubError(reply, 413, 'MessageTooLarge');
    expect(hub.hub.twins.getServiceTwin('known')).toMatchObject({ properties: { desired: { $version: 1 } } });
  });

  it.each([
    ['a+b', 'a%2Bb'],
    ['a#b', 'a%23b'],
    ['a/b', 'a%2Fb'],
    ['129 characters', 'd'.repeat(129)],
  ])('device id %s → 400 ArgumentInvalid', async (_label, encoded) => {
    const reply = await rest(hub.hub, { method: 'PUT', path: `/devices/${encoded}`, body: {} });
    expectHubError(reply, 400, 'ArgumentInvalid');
    expect(hub.hub.registry.list().map((d) => d.deviceId)).not.toContain(decodeURIComponent(encoded));
  });

  it('a body deviceId that differs from the path → 400', async () => {
    expectHubError(await rest(hub.hub, { method: 'PUT', path: '/devices/path-id', body: { deviceId: 'other-id' } }), 400, 'ArgumentInvalid');
    expect(hub.hub.registry.find('path-id')).toBeUndefined();
  });

  it('an unknown route → 404 in the hub format', async () => {
    const reply = await rest(hub.hub, { method: 'GET', path: '/no/such/route' });
    expect(reply.status).toBe(404);
    expect(reply.json<{ Message: string }>().Message).toMatch(/^ErrorCode:NotFound;/);
  });

  it('an invalid module id → 400, a module of an unknown device → 404 DeviceNotFound', async () => {
    expectHubError(await rest(hub.hub, { method: 'PUT', path: `/devices/known/modules/${'m'.repeat(129)}`, body: {} }), 400, 'ArgumentInvalid');
    expectHubError(await rest(hub.hub, { method: 'PUT', path: '/devices/ghost/modules/m1', body: {} }), 404, 'DeviceNotFound');
    expect(hub.hub.modules.list('known')).toEqual([]);
  });
});

describe('registry, twins and queries on the wire', () => {
  it('creates with 200, lists with a trailing slash and top, 409 on duplicates, 412 on stale etag, 204 on delete', async () => {
    const created = await rest(hub.hub, { method: 'PUT', path: '/devices/wire%3A1', body: { deviceId: 'wire:1' } });
    expect(created.status).toBe(200);
    expect(created.json()).toMatchObject({ deviceId: 'wire:1', connectionStateUpdatedTime: '0001-01-01T00:00:00Z', authentication: { type: 'sas' } });
    expectHubError(await rest(hub.hub, { method: 'PUT', path: '/devices/wire%3A1', body: {} }), 409, 'DeviceAlreadyExists');
    expectHubError(await rest(hub.hub, { method: 'PUT', path: '/devices/wire%3A1', body: { status: 'disabled' }, headers: { 'if-match': '"stale"' } }), 412, 'PreconditionFailed');
    const disabled = await rest(hub.hub, { method: 'PUT', path: '/devices/wire%3A1', body: { status: 'disabled' }, headers: { 'if-match': '"*"' } });
    expect(disabled.json()).toMatchObject({ status: 'disabled' });
    expect((await rest(hub.hub, { method: 'GET', path: '/devices/' })).json<unknown[]>().length).toBeGreaterThanOrEqual(2);
    expect((await rest(hub.hub, { method: 'GET', path: '/devices?top=1' })).json<unknown[]>()).toHaveLength(1);
    const stats = await rest(hub.hub, { method: 'GET', path: '/statistics/devices' });
    expect(stats.json()).toMatchObject({ disabledDeviceCount: 1 });
    const deleted = await rest(hub.hub, { method: 'DELETE', path: '/devices/wire%3A1', headers: { 'if-match': '"*"' } });
    expect(deleted.status).toBe(204);
    expect(deleted.text).toBe('');
    expectHubError(await rest(hub.hub, { method: 'GET', path: '/twins/wire%3A1' }), 404, 'DeviceNotFound');
  });

  it('applies the items of a bulk call together (shared durable writes) and lists failures in item order', async () => {
    await hub.hub.registry.create({ deviceId: 'order-taken-7' });
    await hub.hub.registry.create({ deviceId: 'order-taken-42' });
    const body = Array.from({ length: 100 }, (_, i) => ({ id: i === 7 || i === 42 ? `order-taken-${i}` : `order-${i}`, importMode: 'create' }));
    const batchesBefore = hub.hub.storeStats().batches;
    const reply = await rest(hub.hub, { method: 'POST', path: '/devices', body });
    expect(reply.status).toBe(400);
    expect(reply.json()).toMatchObject({
      isSuccessful: false,
      errors: [{ deviceId: 'order-taken-7', errorCode: 'DeviceAlreadyExists' }, { deviceId: 'order-taken-42', errorCode: 'DeviceAlreadyExists' }],
    });
    expect(hub.hub.registry.find('order-0')).toBeDefined();
    expect(hub.hub.registry.find('order-99')).toBeDefined();
    // One item per durable write would be 98 batches; together they share a handful.
    expect(hub.hub.storeStats().batches - batchesBefore).toBeLessThan(10);
  });

  it('applies a bulk call with importMode in any case and lists per-item failures', async () => {
    const created = await rest(hub.hub, {
      method: 'POST',
      path: '/devices',
      body: [
        { id: 'bulk-1', importMode: 'create' },
        { id: 'bulk-2', importMode: 'Create', status: 'disabled' },
        { id: 'bulk-3', importMode: 'create', twin: { tags: { floor: 3 } } },
      ],
    });
    expect(created.status).toBe(200);
    expect(created.json()).toEqual({ isSuccessful: true, errors: [], warnings: [] });
    expect(hub.hub.registry.get('bulk-2').status).toBe('disabled');
    expect(hub.hub.twins.getServiceTwin('bulk-3').tags).toEqual({ floor: 3 });
    const mixed = await rest(hub.hub, {
      method: 'POST',
      path: '/devices',
      body: [
        { id: 'bulk-1', importMode: 'Update', status: 'disabled' },
        { id: 'bulk-2', importMode: 'deleteIfMatchEtag', eTag: '"stale"' },
        { id: 'bulk-3', importMode: 'Delete' },
      ],
    });
    expect(mixed.status).toBe(400);
    expect(mixed.json()).toMatchObject({ isSuccessful: false, errors: [{ deviceId: 'bulk-2', errorCode: 'PreconditionFailed' }] });
    expect(hub.hub.registry.get('bulk-1').status).toBe('disabled');
    expect(hub.hub.registry.find('bulk-3')).toBeUndefined();
    const duplicate = await rest(hub.hub, { method: 'POST', path: '/devices', body: [{ id: 'bulk-9', importMode: 'create' }, { id: 'bulk-9', importMode: 'create' }] });
    expectHubError(duplicate, 400, 'DeviceDefinedMultipleTimes');
    expect(hub.hub.registry.find('bulk-9')).toBeUndefined();
    const tooMany = Array.from({ length: 101 }, (_, i) => ({ id: `many-${i}`, importMode: 'create' }));
    expectHubError(await rest(hub.hub, { method: 'POST', path: '/devices', body: tooMany }), 400, 'ArgumentInvalid');
    expect(hub.hub.registry.find('many-0')).toBeUndefined();
  });

  it('PATCHes a twin with quoted, unquoted and wildcard If-Match', async () => {
    const twin = (await rest(hub.hub, { method: 'GET', path: '/twins/known' })).json<{ etag: string }>();
    const patched = await rest(hub.hub, { method: 'PATCH', path: '/twins/known', body: { tags: { a: 1 } }, headers: { 'if-match': `"${twin.etag}"` } });
    expect(patched.status).toBe(200);
    expect((await rest(hub.hub, { method: 'PATCH', path: '/twins/known', body: { tags: { b: 2 } }, headers: { 'if-match': '*' } })).status).toBe(200);
    expectHubError(await rest(hub.hub, { method: 'PATCH', path: '/twins/known', body: { tags: { c: 3 } }, headers: { 'if-match': `"${twin.etag}"` } }), 412, 'PreconditionFailed');
    const replaced = await rest(hub.hub, { method: 'PUT', path: '/twins/known', body: { tags: { only: true } }, headers: { 'if-match': '"*"' } });
    expect(replaced.json()).toMatchObject({ tags: { only: true } });
  });

  it('pages a query with lower-case headers and no continuation on the last page', async () => {
    for (const id of ['page-1', 'page-2', 'page-3']) await hub.hub.registry.create({ deviceId: id });
    const body = { query: "SELECT * FROM devices WHERE deviceId IN ['page-1', 'page-2', 'page-3']" };
    const first = await rest(hub.hub, { method: 'POST', path: '/devices/query', body, headers: { 'x-ms-max-item-count': '2' } });
    expect(first.json<unknown[]>()).toHaveLength(2);
    expect(first.rawHeaderNames).toContain('x-ms-continuation');
    expect(first.rawHeaderNames).toContain('x-ms-item-type');
    expect(first.headers['x-ms-item-type']).toBe('Twin');
    const continuation = String(first.headers['x-ms-continuation']);
    const last = await rest(hub.hub, { method: 'POST', path: '/devices/query', body, headers: { 'x-ms-max-item-count': '2', 'x-ms-continuation': continuation } });
    expect(last.json<{ deviceId: string }[]>().map((t) => t.deviceId)).toEqual(['page-3']);
    expect(last.headers).not.toHaveProperty('x-ms-continuation');
    const count = await rest(hub.hub, { method: 'POST', path: '/devices/query', body: { query: 'SELECT COUNT() AS n FROM devices' } });
    expect(count.headers['x-ms-item-type']).toBe('Raw');
  });

  it('answers a query syntax error with 400 naming the position', async () => {
    const reply = await rest(hub.hub, { method: 'POST', path: '/devices/query', body: { query: 'SELECT * FORM devices' } });
    expectHubError(reply, 400, 'ArgumentInvalid');
    expect(reply.json<{ Message: string }>().Message).toMatch(/position 9/);
  });
});

describe('direct methods over REST', () => {
  let device: DeviceClient;

  beforeAll(async () => {
    await hub.hub.registry.create({ deviceId: 'methods' });
  });

  afterAll(async () => {
    await device?.close();
  });

  it('validates the call: timeouts out of range, bad names → 400', async () => {
    const call = (body: object) => rest(hub.hub, { method: 'POST', path: '/twins/methods/methods', body });
    expectHubError(await call({ methodName: 'x', responseTimeoutInSeconds: 4 }), 400, 'ArgumentInvalid');
    expectHubError(await call({ methodName: 'x', responseTimeoutInSeconds: 301 }), 400, 'ArgumentInvalid');
    expectHubError(await call({ methodName: 'x', connectTimeoutInSeconds: 301 }), 400, 'ArgumentInvalid');
    expectHubError(await call({ methodName: 'bad name' }), 400, 'ArgumentInvalid');
    expectHubError(await call({ methodName: 'a$b' }), 400, 'ArgumentInvalid');
  });

  it('answers 404 DeviceNotOnline (nested 404103) for an offline device', async () => {
    const reply = await rest(hub.hub, { method: 'POST', path: '/twins/methods/methods', body: { methodName: 'ping', payload: null } });
    expect(reply.status).toBe(404);
    expect(reply.headers['iothub-errorcode']).toBe('DeviceNotOnline');
    expect(JSON.parse(reply.json<{ Message: string }>().Message)).toMatchObject({ errorCode: 404103 });
  });

  it('waits connectTimeoutInSeconds for the device to connect and subscribe', async () => {
    const call = rest(hub.hub, {
      method: 'POST',
      path: '/twins/methods/methods',
      body: { methodName: 'ping', payload: { n: 1 }, connectTimeoutInSeconds: 10, responseTimeoutInSeconds: 10 },
    });
    device = await openDevice(hub.hub, 'methods');
    device.onDeviceMethod('ping', (request, response) => void response.send(201, request.payload));
    device.onDeviceMethod('silent', () => undefined);
    const reply = await call;
    expect(reply.status).toBe(200);
    expect(reply.json()).toEqual({ status: 201, payload: { n: 1 } });
  });

  it('answers 504 (nested 504101) when the device does not reply within responseTimeoutInSeconds', async () => {
    await waitForSubscription(hub.hub, 'methods', '$iothub/methods/POST/#');
    const started = Date.now();
    const reply = await rest(hub.hub, { method: 'POST', path: '/twins/methods/methods', body: { methodName: 'silent', responseTimeoutInSeconds: 5 } });
    expect(Date.now() - started).toBeGreaterThanOrEqual(4900);
    expect(reply.status).toBe(504);
    expect(JSON.parse(reply.json<{ Message: string }>().Message)).toMatchObject({ errorCode: 504101 });
  }, 15_000);
});

describe('numbers in twin bodies (iothub-protocol.md §7.3)', () => {
  it('accepts float literals of any finite size and refuses integer literals beyond ±2^52, in PATCH and bulk bodies', async () => {
    await hub.hub.registry.create({ deviceId: 'numbers' });
    const floats = await rest(hub.hub, { method: 'PATCH', path: '/twins/numbers', body: '{"properties":{"desired":{"f":1.0e16,"g":-1e300}}}' });
    expect(floats.status).toBe(200);
    expect(floats.json<{ properties: { desired: Record<string, unknown> } }>().properties.desired).toMatchObject({ f: 1e16, g: -1e300 });
    expectHubError(await rest(hub.hub, { method: 'PATCH', path: '/twins/numbers', body: '{"tags":{"n":10000000000000000}}' }), 400, 'ArgumentInvalid');
    const bulk = '[{"id":"numbers","importMode":"updateTwin","twin":{"tags":{"n":-4503599627370497}}}]';
    expectHubError(await rest(hub.hub, { method: 'POST', path: '/devices', body: bulk }), 400, 'ArgumentInvalid');
    expect(hub.hub.twins.getServiceTwin('numbers')).toMatchObject({ tags: {}, version: 2 });
  });
});
