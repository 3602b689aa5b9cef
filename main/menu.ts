import { readFile, writeFile } from 'node:fs/promises';

import { app, clipboard, dialog, Menu, shell, type BrowserWindow, type MenuItemConstructorOptions } from 'electron';

import type { InvokeChannel, Invokes } from './contract/channels.js';
import type { EmulatorHost } from './emulator-host.js';
import { dispatch } from './host/dispatch.js';
import type { HandlerTable } from './host/handler-types.js';

/** What menu commands need; they call contract handlers, never emulator internals (house-style §7). */
export interface MenuContext {
  readonly host: EmulatorHost;
  readonly handlers: HandlerTable;
  readonly window: () => BrowserWindow | undefined;
}

/** Runs a contract call like the renderer would and shows a failure in a dialog. */
async function call<K extends InvokeChannel>(context: MenuContext, channel: K, req: Invokes[K]['req']): Promise<Invokes[K]['res'] | undefined> {
  const result = await dispatch(context.handlers, { host: context.host }, channel, req);
  if (result.ok) return result.value as Invokes[K]['res'];
  dialog.showErrorBox('Twin Studio', `${result.error.code}: ${result.error.message}`);
  return undefined;
}

async function exportHub(context: MenuContext): Promise<void> {
  const target = await dialog.showSaveDialog({ title: 'Export registry and twins', defaultPath: 'twin-studio-hub.json' });
  if (target.canceled || !target.filePath) return;
  const data = await call(context, 'emulator.export', { includeReported: true });
  if (data) await writeFile(target.filePath, `${JSON.stringify(data, null, 2)}\n`, 'utf8');
}

async function importHub(context: MenuContext): Promise<void> {
  const source = await dialog.showOpenDialog({ title: 'Import registry and twins', filters: [{ name: 'JSON', extensions: ['json'] }], properties: ['openFile'] });
  const file = source.filePaths[0];
  if (source.canceled || !file) return;
  let data: unknown;
  try {
    data = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    dialog.showErrorBox('Twin Studio', `Not a JSON file: ${(error as Error).message}`);
    return;
  }
  // The handler validates the file against the contract's export schema.
  const report = await call(context, 'emulator.import', { data: data as Invokes['emulator.import']['req']['data'], overwrite: false });
  if (report) {
    const failed = report.failed.map((entry) => `${entry.deviceId}: ${entry.message}`).join('\n');
    await dialog.showMessageBox({ message: `Imported: ${report.created} created, ${report.updated} updated, ${report.failed.length} failed.`, detail: failed });
  }
}

async function resetHub(context: MenuContext): Promise<void> {
  const answer = await dialog.showMessageBox({
    type: 'warning',
    buttons: ['Cancel', 'Delete all devices'],
    defaultId: 0,
    cancelId: 0,
    message: 'Reset the hub?',
    detail: 'Every device and its twin is deleted. This cannot be undone.',
  });
  if (answer.response === 1) await call(context, 'emulator.reset', { confirm: 'reset' });
}

function hubMenu(context: MenuContext): MenuItemConstructorOptions {
  const info = () => context.host.status().info;
  return {
    label: 'Hub',
    submenu: [
      { label: 'Copy service connection string', click: () => clipboard.writeText(info()?.serviceConnectionString ?? '') },
      { label: 'Open data folder', click: () => void shell.openPath(context.host.settings.settings.dataDir) },
      { type: 'separator' },
      { label: 'Export registry and twins…', accelerator: 'CmdOrCtrl+Shift+E', click: () => void exportHub(context) },
      { label: 'Import registry and twins…', accelerator: 'CmdOrCtrl+Shift+I', click: () => void importHub(context) },
      { type: 'separator' },
      { label: 'Restart hub', click: () => void context.host.applySettings(context.host.settings.settings) },
      { label: 'Reset hub…', click: () => void resetHub(context) },
    ],
  };
}

/** The application menu. */
export function buildMenu(context: MenuContext): Menu {
  const development = !app.isPackaged;
  const template: MenuItemConstructorOptions[] = [
    ...(process.platform === 'darwin' ? [{ role: 'appMenu' as const }] : []),
    { role: 'fileMenu' },
    { role: 'editMenu' },
    hubMenu(context),
    {
      label: 'View',
      submenu: [
        { role: 'reload' },
        ...(development ? [{ role: 'toggleDevTools' as const }] : []),
        { type: 'separator' },
        { role: 'resetZoom' },
        { role: 'zoomIn' },
        { role: 'zoomOut' },
        { type: 'separator' },
        { role: 'togglefullscreen' },
      ],
    },
    { role: 'windowMenu' },
    {
      role: 'help',
      submenu: [{ label: `Twin Studio ${app.getVersion()}`, enabled: false }],
    },
  ];
  return Menu.buildFromTemplate(template);
}
