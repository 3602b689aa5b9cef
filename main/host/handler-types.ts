import type { InvokeChannel, Invokes } from '../contract/channels.js';
import type { EmulatorHost } from '../emulator-host.js';

/** What every handler may use: the host that owns the (possibly restarting) emulator. */
export interface HandlerContext {
  readonly host: EmulatorHost;
}

/** Implementation of one invoke channel. */
export type Handler<K extends InvokeChannel> = (req: Invokes[K]['req'], context: HandlerContext) => Promise<Invokes[K]['res']>;

/** The one table both adapters (Electron IPC and browser-mode HTTP) dispatch through. */
export type HandlerTable = { readonly [K in InvokeChannel]: Handler<K> };

/** The handlers of one namespace (`devices`, `twin`, …), one file each. */
export type NamespaceHandlers<N extends string> = {
  readonly [K in InvokeChannel as K extends `${N}.${string}` ? K : never]: Handler<K>;
};
