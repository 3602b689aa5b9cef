import { describe, expect, it } from 'vitest';

import { createHttpApi } from './http-client.js';

class FakeEventSource {
  readonly listeners = new Map<string, ((event: { data: string }) => void)[]>();
  constructor(readonly url: string) {}
  addEventListener(name: string, listener: (event: { data: string }) => void): void {
    this.listeners.set(name, [...(this.listeners.get(name) ?? []), listener]);
  }
  /** One `pushes` event carrying these pushes, as the host sends the pushes of one turn. */
  dispatch(...pushes: [string, unknown][]): void {
    for (const listener of this.listeners.get('pushes') ?? []) listener({ data: JSON.stringify(pushes) });
  }
}

describe('the browser-mode API adapter', () => {
  it('posts each call to /api/<channel> with the bearer token and returns the envelope', async () => {
    const requests: { url: string; init: RequestInit }[] = [];
    const api = createHttpApi({
      token: 'secret',
      baseUrl: 'http://127.0.0.1:9',
      fetch: async (url, init) => {
        requests.push({ url: String(url), init: init ?? {} });
        return new Response(JSON.stringify({ ok: true, value: [] }), { status: 200 });
      },
    });
    expect(await api.devices.list({})).toEqual({ ok: true, value: [] });
    await api.twin.update({ deviceId: 'd', patch: { desired: { a: 1 } }, etag: 'e' });
    expect(requests.map((r) => r.url)).toEqual(['http://127.0.0.1:9/api/devices.list', 'http://127.0.0.1:9/api/twin.update']);
    expect(requests[1]?.init.headers).toMatchObject({ authorization: 'Bearer secret', 'content-type': 'application/json' });
    expect(JSON.parse(String(requests[1]?.init.body))).toEqual({ deviceId: 'd', patch: { desired: { a: 1 } }, etag: 'e' });
  });

  it('turns HTTP failures and a dead host into error envelopes', async () => {
    const refused = createHttpApi({ token: 't', fetch: async () => new Response('missing or wrong token', { status: 401 }) });
    expect(await refused.devices.list({})).toMatchObject({ ok: false, error: { code: 'Unauthorized', httpStatus: 401 } });
    const dead = createHttpApi({ token: 't', fetch: async () => { throw new TypeError('fetch failed'); } });
    expect(await dead.devices.list({})).toMatchObject({ ok: false, error: { code: 'Disconnected' } });
  });

  it('delivers pushes from one event stream (token in the query) to each subscriber until it unsubscribes', () => {
    let source: FakeEventSource | undefined;
    const api = createHttpApi({
      token: 'a b',
      createEventSource: (url) => (source = new FakeEventSource(url)) as unknown as EventSource,
    });
    const seen: unknown[] = [];
    const stop = api.on('twin.changed', (payload) => seen.push(payload));
    api.on('twin.changed', () => undefined);
    api.ready();
    expect(source?.url).toBe('/api/events?token=a%20b');
    source?.dispatch(['twin.changed', { deviceId: 'd', sections: ['reported'], version: 2 }]);
    stop();
    source?.dispatch(['twin.changed', { deviceId: 'd', sections: ['reported'], version: 3 }]);
    expect(seen).toEqual([{ deviceId: 'd', sections: ['reported'], version: 2 }]);
    expect(source?.listeners.get('pushes')).toHaveLength(1);
  });

  it('delivers every push of one batched event in order, each to its own channel’s subscribers', () => {
    let source: FakeEventSource | undefined;
    const api = createHttpApi({ token: 't', createEventSource: (url) => (source = new FakeEventSource(url)) as unknown as EventSource });
    const seen: string[] = [];
    api.on('devices.changed', (payload) => seen.push(`device ${(payload as { deviceId: string }).deviceId}`));
    api.on('twin.changed', (payload) => seen.push(`twin ${(payload as { deviceId: string }).deviceId}`));
    source?.dispatch(['devices.changed', { deviceId: 'a', reason: 'created' }], ['twin.changed', { deviceId: 'a', sections: ['tags'], version: 2 }], ['c2d.settled', {}], ['devices.changed', { deviceId: 'b', reason: 'created' }]);
    expect(seen).toEqual(['device a', 'twin a', 'device b']);
  });

  it('is not mistaken for a promise', async () => {
    const api = createHttpApi({ token: 't', fetch: async () => new Response('{}') });
    expect((api as unknown as { then?: unknown }).then).toBeUndefined();
    await expect(Promise.resolve(api)).resolves.toBe(api);
  });
});
