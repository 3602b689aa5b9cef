import { BrowserWindow, ipcMain, type IpcMainEvent, type IpcMainInvokeEvent, type WebContents } from 'electron';

import { ELECTRON_IPC, type IpcPushMessage } from '../contract/api.js';
import type { PushChannel, Pushes } from '../contract/channels.js';
import { fail } from '../contract/errors.js';
import type { EmulatorHost } from '../emulator-host.js';
import { dispatch } from '../host/dispatch.js';
import { EventPump } from '../host/event-pump.js';
import type { HandlerTable } from '../host/handler-types.js';

/** Pushes kept while the renderer is (re)loading; the oldest are dropped beyond this (house-style H16). */
const MAX_QUEUED_PUSHES = 200;

/** What the gatekeeper needs to know about the one window it serves. */
export interface IpcOptions {
  readonly host: EmulatorHost;
  readonly handlers: HandlerTable;
  /** The window whose renderer may call. */
  readonly window: () => BrowserWindow | undefined;
  /** True for the URL of our own renderer page (file:// of the built index, or the dev server). */
  readonly isOurPage: (url: string) => boolean;
}

/**
 * The only `ipcMain.handle` caller (house-style H15): refuses senders that are not our window's main frame on our
 * page, validates every payload through `dispatch`, answers with an envelope, and queues pushes until the renderer
 * says it is ready (again after every reload).
 */
export function registerIpc(options: IpcOptions): () => void {
  let ready = false;
  let queue: IpcPushMessage[] = [];
  const trusted = (event: IpcMainInvokeEvent | IpcMainEvent): boolean => isTrustedSender(event, options);

  ipcMain.handle(ELECTRON_IPC.invoke, async (event, message: unknown) => {
    if (!trusted(event)) return fail('Unauthorized', 'This IPC sender is not the Twin Studio window.');
    const { channel, payload } = typeof message === 'object' && message !== null ? (message as Record<string, unknown>) : {};
    return dispatch(options.handlers, { host: options.host }, channel, payload);
  });

  ipcMain.on(ELECTRON_IPC.ready, (event) => {
    if (!trusted(event)) return;
    ready = true;
    const pending = queue;
    queue = [];
    for (const message of pending) event.sender.send(ELECTRON_IPC.push, message);
  });

  const send = <P extends PushChannel>(channel: P, payload: Pushes[P]): void => {
    const contents = liveContents(options.window());
    if (!contents) return;
    const message: IpcPushMessage = { channel, payload };
    if (ready) contents.send(ELECTRON_IPC.push, message);
    else if (queue.push(message) > MAX_QUEUED_PUSHES) queue.shift();
  };
  const pump = new EventPump(options.host, send);

  const onLoading = () => {
    ready = false;
  };
  const contents = liveContents(options.window());
  contents?.on('did-start-loading', onLoading);

  return () => {
    pump.dispose();
    ipcMain.removeHandler(ELECTRON_IPC.invoke);
    ipcMain.removeAllListeners(ELECTRON_IPC.ready);
    contents?.off('did-start-loading', onLoading);
  };
}

function liveContents(window: BrowserWindow | undefined): WebContents | undefined {
  return window && !window.isDestroyed() && !window.webContents.isDestroyed() ? window.webContents : undefined;
}

/** Our window, its main frame (no iframes), showing our page. */
function isTrustedSender(event: IpcMainInvokeEvent | IpcMainEvent, options: IpcOptions): boolean {
  const window = options.window();
  if (!window || BrowserWindow.fromWebContents(event.sender) !== window) return false;
  const frame = event.senderFrame;
  if (!frame || frame !== event.sender.mainFrame) return false;
  return options.isOurPage(frame.url);
}
