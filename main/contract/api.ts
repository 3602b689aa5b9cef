/**
 * `TwinStudioApi`: what the renderer sees as `window.twinStudio` (house-style H14). It is derived from
 * `channels.ts`, never written by hand: channel `devices.list` becomes `api.devices.list(req)`.
 */
import type { InvokeChannel, PushChannel } from './channel-names.js';
import type { Invokes, Pushes } from './channels.js';
import { INVOKE_CHANNELS } from './channel-names.js';
import type { Envelope } from './errors.js';

/** The namespaces of the invoke channels (`devices`, `twin`, …). */
export type Namespace = NamespaceOf<InvokeChannel>;
type NamespaceOf<K> = K extends `${infer N}.${string}` ? N : never;

/** A contract call: one request object in, one envelope out. */
export type InvokeFunction<K extends InvokeChannel> = (req: Invokes[K]['req']) => Promise<Envelope<Invokes[K]['res']>>;

/** The methods of one namespace. */
export type NamespaceApi<N extends Namespace> = {
  readonly [K in InvokeChannel as K extends `${N}.${infer M}` ? M : never]: InvokeFunction<K>;
};

/** Stops a push subscription. */
export type Unsubscribe = () => void;

/** Push subscriptions and the ready signal. */
export interface PushApi {
  /** Subscribes to a push channel; returns the disposer. */
  on<P extends PushChannel>(channel: P, listener: (payload: Pushes[P]) => void): Unsubscribe;
  /** Tells the host the renderer is listening; pushes queued before this are delivered then (house-style H15). */
  ready(): void;
}

/** The whole API exposed to the renderer. */
export type TwinStudioApi = { readonly [N in Namespace]: NamespaceApi<N> } & PushApi;

/** Transport primitives an adapter supplies; `buildApi` turns them into the typed API. */
export interface ApiTransport {
  invoke(channel: InvokeChannel, payload: unknown): Promise<Envelope<unknown>>;
  subscribe(channel: PushChannel, listener: (payload: unknown) => void): Unsubscribe;
  ready(): void;
}

/** Builds the API object from the channel list (used by the preload; every function is a plain closure). */
export function buildApi(transport: ApiTransport): TwinStudioApi {
  const namespaces: Record<string, Record<string, (req: unknown) => Promise<Envelope<unknown>>>> = {};
  for (const channel of INVOKE_CHANNELS) {
    const [namespace = '', method = ''] = channel.split('.');
    const target = (namespaces[namespace] ??= {});
    target[method] = (req: unknown) => transport.invoke(channel, req);
  }
  const push: PushApi = {
    on: (channel, listener) => transport.subscribe(channel, listener as (payload: unknown) => void),
    ready: () => transport.ready(),
  };
  // The shape matches TwinStudioApi by construction from INVOKE_CHANNELS; TypeScript cannot follow the loop.
  return { ...namespaces, ...push } as unknown as TwinStudioApi;
}

/** Electron IPC channel names of the transport under the API (one invoke channel; the gatekeeper routes by name). */
export const ELECTRON_IPC = {
  invoke: 'twin-studio:invoke',
  push: 'twin-studio:push',
  ready: 'twin-studio:ready',
} as const;

/** What travels on `ELECTRON_IPC.invoke`. */
export interface IpcInvokeMessage {
  readonly channel: InvokeChannel;
  readonly payload: unknown;
}

/** What travels on `ELECTRON_IPC.push`. */
export interface IpcPushMessage {
  readonly channel: PushChannel;
  readonly payload: unknown;
}
