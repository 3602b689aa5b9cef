import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

import type { Envelope } from '../contract/errors.js';
import type { EmulatorHost } from '../emulator-host.js';
import { dispatch } from './dispatch.js';
import { EventPump } from './event-pump.js';
import type { HandlerTable } from './handler-types.js';
import { HttpGuard } from './http-guard.js';
import { SseChannel } from './sse-channel.js';
import { StaticFiles } from './static-files.js';

/** Options of browser mode's HTTP host. */
export interface BrowserHostOptions {
  readonly host: EmulatorHost;
  readonly handlers: HandlerTable;
  /** The built renderer (`dist/renderer`). */
  readonly rendererDir: string;
  /** 0 = any free port. */
  readonly port?: number;
  /** Fixed token (tests); default 32 random bytes. */
  readonly token?: string;
  /** Largest request body (an import file is the biggest). */
  readonly maxBodyBytes?: number;
}

/** Where to open the studio: the token travels in the fragment, which browsers never send to a server. */
export interface BrowserHostAddress {
  readonly url: string;
  readonly port: number;
  readonly token: string;
}

const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; " +
    "font-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
} as const;

/**
 * Browser mode: the same renderer and the same contract as the Electron app, over HTTP on 127.0.0.1 only.
 * `POST /api/<channel>` (Bearer token, JSON) runs the shared handler table; `GET /api/events?token=` streams the
 * pushes; everything else is the built renderer.
 */
export class BrowserHost {
  private readonly server: Server;
  private readonly sse = new SseChannel();
  private readonly files: StaticFiles;
  private readonly token: string;
  private readonly maxBodyBytes: number;
  private guard: HttpGuard | undefined;
  private pump: EventPump | undefined;

  constructor(private readonly options: BrowserHostOptions) {
    this.files = new StaticFiles(options.rendererDir);
    this.token = options.token ?? randomBytes(32).toString('base64url');
    this.maxBodyBytes = options.maxBodyBytes ?? 32 * 1024 * 1024;
    this.server = createServer((request, response) => void this.route(request, response));
  }

  /** Listens on 127.0.0.1 and starts forwarding hub events. */
  async listen(): Promise<BrowserHostAddress> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.options.port ?? 0, '127.0.0.1', () => resolve());
    });
    const port = (this.server.address() as AddressInfo).port;
    this.guard = new HttpGuard(port, this.token);
    this.pump = new EventPump(this.options.host, (channel, payload) => this.sse.send(channel, payload));
    return { url: `http://127.0.0.1:${port}/#token=${this.token}`, port, token: this.token };
  }

  /** Stops serving (the hub itself is the caller's to stop). */
  async close(): Promise<void> {
    this.pump?.dispose();
    this.sse.close();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async route(request: IncomingMessage, response: ServerResponse): Promise<void> {
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) response.setHeader(name, value);
    const guard = this.guard;
    const refusal = guard ? guard.rejectSource(request) : 'not ready';
    if (refusal || !guard) return plain(response, 403, refusal ?? 'forbidden');
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    try {
      if (url.pathname === '/api/events') return this.events(request, response, url, guard);
      if (url.pathname.startsWith('/api/')) return await this.api(request, response, url.pathname.slice('/api/'.length), guard);
      if (request.method !== 'GET' && request.method !== 'HEAD') return plain(response, 405, 'method not allowed');
      return await this.files.serve(url.pathname, response);
    } catch (error) {
      if (!response.headersSent) plain(response, 500, error instanceof Error ? error.message : 'internal error');
    }
  }

  private events(request: IncomingMessage, response: ServerResponse, url: URL, guard: HttpGuard): void {
    if (request.method !== 'GET') return plain(response, 405, 'method not allowed');
    if (!guard.matches(url.searchParams.get('token'))) return plain(response, 401, 'missing or wrong token');
    this.sse.open(response, [{ channel: 'emulator.status', payload: this.options.host.status() }]);
  }

  private async api(request: IncomingMessage, response: ServerResponse, channel: string, guard: HttpGuard): Promise<void> {
    if (request.method !== 'POST') return plain(response, 405, 'method not allowed');
    if (!guard.hasBearer(request)) return plain(response, 401, 'missing or wrong token');
    if (!request.headers['content-type']?.startsWith('application/json')) return plain(response, 415, 'JSON only');
    const body = await readBody(request, this.maxBodyBytes);
    if (body === undefined) return plain(response, 413, 'request body too large');
    let payload: unknown;
    try {
      payload = body.length === 0 ? {} : JSON.parse(body);
    } catch {
      return json(response, { ok: false, error: { code: 'InvalidPayload', message: 'The request body is not valid JSON.' } });
    }
    json(response, await dispatch(this.options.handlers, { host: this.options.host }, channel, payload));
  }
}

function plain(response: ServerResponse, status: number, text: string): void {
  response.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' }).end(text);
}

function json(response: ServerResponse, envelope: Envelope<unknown>): void {
  const body = JSON.stringify(envelope);
  response
    .writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'content-length': Buffer.byteLength(body) })
    .end(body);
}

/** The request body as text, or undefined when it is larger than `limit` bytes (the rest is read and dropped). */
function readBody(request: IncomingMessage, limit: number): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
    });
    request.on('end', () => resolve(size > limit ? undefined : Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}
