import type { Envelope, InvokeChannel, PushChannel, TwinStudioApi, Unsubscribe } from '../../main/contract/index.js';

/** What the browser-mode adapter needs; injectable for tests. */
export interface HttpApiOptions {
  /** The one-time token printed with the URL. */
  readonly token: string;
  /** Origin of the studio's host; default: the page's own. */
  readonly baseUrl?: string;
  readonly fetch?: typeof fetch;
  readonly createEventSource?: (url: string) => EventSource;
}

type Listener = (payload: unknown) => void;

/**
 * Browser mode's `TwinStudioApi`: each call is `POST /api/<channel>` with the token as a Bearer header, and
 * pushes arrive as server-sent events on `/api/events`. The renderer may only see the contract's types
 * (house-style H2), so the namespaces are built by a proxy from the method names the typed API calls —
 * `api.devices.list(req)` posts to `/api/devices.list`; the host refuses any name not in the channel list.
 */
export function createHttpApi(options: HttpApiOptions): TwinStudioApi {
  const base = options.baseUrl ?? '';
  const doFetch = options.fetch ?? ((input, init) => fetch(input, init));
  const listeners = new Map<PushChannel, Set<Listener>>();
  let source: EventSource | undefined;

  const invoke = async (channel: InvokeChannel, payload: unknown): Promise<Envelope<unknown>> => {
    let response: Response;
    try {
      response = await doFetch(`${base}/api/${channel}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${options.token}` },
        body: JSON.stringify(payload ?? {}),
      });
    } catch (error) {
      return { ok: false, error: { code: 'Disconnected', message: `The studio host does not answer: ${String(error)}` } };
    }
    if (!response.ok) {
      const code = response.status === 401 ? 'Unauthorized' : 'TransportError';
      return { ok: false, error: { code, message: `${response.status}: ${await response.text()}`, httpStatus: response.status } };
    }
    return (await response.json()) as Envelope<unknown>;
  };

  // The host sends the pushes of one turn as one event (main/host/sse-channel.ts): `[[channel, payload], …]`.
  const deliver = (event: Event) => {
    const entries: unknown = JSON.parse((event as MessageEvent<string>).data);
    if (!Array.isArray(entries)) return;
    for (const item of entries) {
      if (!Array.isArray(item) || typeof item[0] !== 'string') continue;
      const set = listeners.get(item[0] as PushChannel);
      if (set) for (const each of [...set]) each(item[1]);
    }
  };

  const connect = (): EventSource => {
    if (source) return source;
    const url = `${base}/api/events?token=${encodeURIComponent(options.token)}`;
    source = options.createEventSource ? options.createEventSource(url) : new EventSource(url);
    source.addEventListener('pushes', deliver);
    return source;
  };

  const on = (channel: PushChannel, listener: Listener): Unsubscribe => {
    connect();
    let set = listeners.get(channel);
    if (!set) {
      set = new Set<Listener>();
      listeners.set(channel, set);
    }
    set.add(listener);
    const current = set;
    return () => void current.delete(listener);
  };

  return namespaceProxy(invoke, { on, ready: () => void connect() });
}

function namespaceProxy(
  invoke: (channel: InvokeChannel, payload: unknown) => Promise<Envelope<unknown>>,
  push: { on: (channel: PushChannel, listener: Listener) => Unsubscribe; ready: () => void },
): TwinStudioApi {
  const namespaces = new Map<string, object>();
  const namespace = (name: string): object => {
    let methods = namespaces.get(name);
    if (!methods) {
      methods = new Proxy({}, {
        get: (_target, method) => (typeof method === 'string' ? (req: unknown) => invoke(`${name}.${method}` as InvokeChannel, req) : undefined),
      });
      namespaces.set(name, methods);
    }
    return methods;
  };
  const root = new Proxy({} as Record<string, unknown>, {
    get: (_target, key) => {
      if (key === 'on') return push.on;
      if (key === 'ready') return push.ready;
      // `then` must stay undefined, or `await api` would treat the API as a promise.
      return typeof key === 'string' && key !== 'then' ? namespace(key) : undefined;
    },
  });
  // The proxy answers every name of TwinStudioApi with the matching call; the type is the contract's.
  return root as unknown as TwinStudioApi;
}
