import { dirname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

/**
 * The package root, from wherever this module runs: `dist/main/` when built (also inside the packaged app's
 * asar), `main/` when run from source with tsx.
 */
export function appRoot(): string {
  return resolve(here, here.split(sep).includes('dist') ? '../..' : '..');
}

/** The built renderer (`vite build` output). */
export function rendererDir(): string {
  return join(appRoot(), 'dist', 'renderer');
}

/** The preload bundle (esbuild, CommonJS: sandboxed preloads cannot load ES modules). */
export function preloadPath(): string {
  return join(appRoot(), 'dist', 'preload', 'index.cjs');
}
