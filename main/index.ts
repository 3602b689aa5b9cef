// Electron main entry (house-style §7): single instance, hub host, locked-down window, the IPC gatekeeper, the
// menu, and a clean stop of the hub (pending writes flushed) before the app quits.
import { join } from 'node:path';

import { app, BrowserWindow, Menu, session } from 'electron';

import { consoleLogger } from '../emulator/index.js';
import { EmulatorHost } from './emulator-host.js';
import { clusterArgs } from './host/browser-args.js';
import { handlers } from './host/handlers/index.js';
import { registerIpc } from './ipc/register.js';
import { buildMenu } from './menu.js';
import { SettingsStore } from './settings/settings-store.js';
import { createMainWindow, devServerUrl, isOurPage } from './window.js';

let mainWindow: BrowserWindow | undefined;
let host: EmulatorHost | undefined;
let stopped = false;

/** No page may open windows, navigate away, attach webviews or ask for permissions (house-style H15). */
function lockDown(): void {
  app.on('web-contents-created', (_event, contents) => {
    contents.setWindowOpenHandler(() => ({ action: 'deny' }));
    contents.on('will-navigate', (event) => event.preventDefault());
    contents.on('will-redirect', (event) => event.preventDefault());
    contents.on('will-attach-webview', (event) => event.preventDefault());
  });
  session.defaultSession.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.defaultSession.setPermissionCheckHandler(() => false);
}

async function start(): Promise<void> {
  lockDown();
  const settings = await SettingsStore.fromFile(join(app.getPath('userData'), 'settings.json'));
  // `npm start -- --store redis://… --cluster`: the studio's hub joins that cluster (docs/cluster.md).
  const studioHost = new EmulatorHost({ settings, hostKind: 'electron', logger: consoleLogger(!app.isPackaged), emulatorConfig: clusterArgs(process.argv) });
  host = studioHost;
  const devUrl = devServerUrl(app.isPackaged);
  const window = () => (mainWindow && !mainWindow.isDestroyed() ? mainWindow : undefined);
  mainWindow = createMainWindow(devUrl);
  registerIpc({ host: studioHost, handlers, window, isOurPage: (url) => isOurPage(url, devUrl) });
  Menu.setApplicationMenu(buildMenu({ host: studioHost, handlers, window }));
  // The window shows "Starting" while the hub binds its ports; a failure is shown there, not thrown.
  await studioHost.start();
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) mainWindow = createMainWindow(devUrl);
  });
}

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', () => {
    if (!mainWindow || mainWindow.isDestroyed()) return;
    if (mainWindow.isMinimized()) mainWindow.restore();
    mainWindow.focus();
  });
  app.on('window-all-closed', () => {
    // macOS apps stay alive without windows; the hub keeps serving devices until Quit.
    if (process.platform !== 'darwin') app.quit();
  });
  app.on('before-quit', (event) => {
    if (stopped || !host) return;
    event.preventDefault();
    void host.stop().finally(() => {
      stopped = true;
      app.quit();
    });
  });
  void app.whenReady().then(start);
}
