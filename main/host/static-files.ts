import { readFile, stat } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { extname, join, normalize, relative, resolve, sep } from 'node:path';

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.map': 'application/json; charset=utf-8',
};

/** Serves the built renderer from one folder; paths outside it are refused, unknown paths get index.html (SPA). */
export class StaticFiles {
  private readonly root: string;

  constructor(root: string) {
    this.root = resolve(root);
  }

  /** Writes the file for `urlPath` (already stripped of query and fragment) to `response`. */
  async serve(urlPath: string, response: ServerResponse): Promise<void> {
    const file = (await this.resolveFile(urlPath)) ?? join(this.root, 'index.html');
    let body: Buffer;
    try {
      body = await readFile(file);
    } catch {
      response.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('The studio is not built: run `npm run build`.');
      return;
    }
    const type = TYPES[extname(file)] ?? 'application/octet-stream';
    // Vite names assets by content hash, so they never change; the page itself must always be fresh.
    const cache = file.includes(`${sep}assets${sep}`) ? 'public, max-age=31536000, immutable' : 'no-cache';
    response.writeHead(200, { 'content-type': type, 'cache-control': cache, 'content-length': body.length }).end(body);
  }

  private async resolveFile(urlPath: string): Promise<string | undefined> {
    let decoded: string;
    try {
      decoded = decodeURIComponent(urlPath);
    } catch {
      return undefined;
    }
    if (decoded.includes('\0')) return undefined;
    const candidate = resolve(this.root, `.${normalize(`/${decoded}`)}`);
    const inside = relative(this.root, candidate);
    if (inside.startsWith('..') || inside === '' || resolve(inside) === inside) return undefined;
    try {
      return (await stat(candidate)).isFile() ? candidate : undefined;
    } catch {
      return undefined;
    }
  }
}
