// The preload (house-style H14): exposes `window.twinStudio`, built from the contract's channel list, and nothing
// else. The renderer never sees ipcRenderer. Bundled to CommonJS by esbuild (sandboxed preloads cannot import).
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';

import { buildApi, ELECTRON_IPC, type IpcPushMessage } from '../contract/api.js';
import type { PushChannel } from '../contract/channels.js';

const listeners = new Map<PushChannel, Set<(payload: unknown) => void>>();

ipcRenderer.on(ELECTRON_IPC.push, (_event: IpcRendererEvent, message: IpcPushMessage) => {
  for (const listener of listeners.get(message.channel) ?? []) listener(message.payload);
});

const api = buildApi({
  invoke: (channel, payload) => ipcRenderer.invoke(ELECTRON_IPC.invoke, { channel, payload }),
  subscribe: (channel, listener) => {
    const set = listeners.get(channel) ?? new Set();
    listeners.set(channel, set);
    set.add(listener);
    return () => set.delete(listener);
  },
  ready: () => ipcRenderer.send(ELECTRON_IPC.ready),
});

contextBridge.exposeInMainWorld('twinStudio', api);
