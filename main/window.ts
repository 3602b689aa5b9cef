import { BrowserWindow, dialog, nativeTheme } from 'electron';
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';

import { appRoot, preloadPath, rendererDir } from './app-paths.js';

/** A dev-server URL for the renderer (`vite` on localhost), honoured only when not packaged. */
export function devServerUrl(packaged: boolean): string | undefined {
  const url = process.env.TWIN_STUDIO_RENDERER_URL;
  if (packaged || !url) return undefined;
  const parsed = new URL(url);
  return parsed.protocol === 'http:' && (parsed.hostname === 'localhost' || parsed.hostname === '127.0.0.1') ? url : undefined;
}

/** True for our own page: the built index.html (file://) or the dev server's origin. */
export function isOurPage(url: string, devUrl: string | undefined): boolean {
  if (devUrl) return new URL(url).origin === new URL(devUrl).origin;
  return url.split('#')[0]?.split('?')[0] === pathToFileURL(join(rendererDir(), 'index.html')).href;
}

/**
 * The main window (house-style H15): context isolation, sandbox, no Node in the page, the preload as the only
 * bridge. The page's CSP is a meta tag in the built index.html; new windows and navigation are refused globally
 * in index.ts.
 */
export function createMainWindow(devUrl: string | undefined): BrowserWindow {
  const window = new BrowserWindow({
    width: 1360,
    height: 860,
    minWidth: 900,
    minHeight: 560,
    show: false,
    title: 'Twin Studio',
    icon: join(appRoot(), 'assets', 'icons', '512x512.png'),
    backgroundColor: nativeTheme.shouldUseDarkColors ? '#15181d' : '#f6f7f9',
    webPreferences: {
      preload: preloadPath(),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      spellcheck: false,
    },
  });
  window.once('ready-to-show', () => window.show());
  if (devUrl) void window.loadURL(devUrl);
  else void window.loadFile(join(rendererDir(), 'index.html'));
  // The page cancels unload while twin drafts are unsaved; a browser asks the user itself, Electron leaves it to us.
  window.webContents.on('will-prevent-unload', (event) => {
    const choice = dialog.showMessageBoxSync(window, {
      type: 'question', buttons: ['Leave', 'Stay'], defaultId: 1, cancelId: 1, title: 'Unsaved twin edits',
      message: 'Some twin edits are not saved. Leave anyway?',
    });
    // preventDefault here overrides the page's cancel: the window closes or reloads.
    if (choice === 0) event.preventDefault();
  });
  return window;
}
