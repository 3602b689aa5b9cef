#!/usr/bin/env node
// `npm start` after the build: opens the Electron app when its binary is installed, otherwise browser mode.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';

import { appRoot } from './app-paths.js';
import { main as browserMode } from './host/browser-mode.js';

/** The Electron executable, or undefined when the package is installed without its binary (as in CI). */
export function findElectron(): string | undefined {
  if (process.env.TWIN_STUDIO_MODE === 'browser') return undefined;
  try {
    // The electron package's main export is the binary's path; it throws when the download was skipped.
    const path: unknown = createRequire(import.meta.url)('electron');
    return typeof path === 'string' && existsSync(path) ? path : undefined;
  } catch {
    return undefined;
  }
}

const argv = process.argv.slice(2);
const forceBrowser = argv.includes('--browser');
const electron = forceBrowser ? undefined : findElectron();
if (electron) {
  const child = spawn(electron, [appRoot(), ...argv], { stdio: 'inherit' });
  child.on('exit', (code, signal) => process.exit(signal ? 1 : (code ?? 0)));
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => child.kill(signal));
} else {
  if (!forceBrowser) process.stderr.write('No Electron binary is installed here; serving the studio to your browser instead.\n');
  void browserMode(argv.filter((arg) => arg !== '--browser'));
}
