import { request as httpRequest } from 'node:http';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { EmulatorHost } from '../../../../main/emulator-host.js';
import { BrowserHost, type BrowserHostAddress } from '../../../../main/host/browser-host.js';
import { handlers } from '../../../../main/host/handlers/index.js';
import { startStudioHost } from '../../../helpers/studio-host.js';

let host: EmulatorHost;
let disposeHost: () => Promise<void>;
let web: BrowserHost;
let address: BrowserHostAddress;
let rendererDir: string;
let tempRoot: string;

/** A raw request (fetch would refuse to send some of these headers). */
function send(path: string, options: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: '127.0.0.1', port: address.port, path, method: options.method ?? 'GET', headers: { host: `127.0.0.1:${address.port}`, ...options.headers } },
      (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

const json = (token = address.token) => ({ 'content-type': 'application/json', authorization: `Bearer ${token}` });

beforeAll(async () => {
  ({ host, dispose: disposeHost } = await startStudioHost());
  tempRoot = await mkdtemp(join(tmpdir(), 'twin-renderer-'));
  rendererDir = join(tempRoot, 'renderer');
  await mkdir(rendererDir);
  await mkdir(join(rendererDir, 'assets'));
  await writeFile(join(rendererDir, 'index.html'), '<!doctype html><title>studio</title>');
  await writeFile(join(rendererDir, 'assets', 'app-1234.js'), 'console.log(1)');
  await writeFile(join(tempRoot, 'secret.txt'), 'do not serve');
  web = new BrowserHost({ host, handlers, rendererDir });
  address = await web.listen();
});

afterAll(async () => {
  await web.close();
  await disposeHost();
  await rm(tempRoot, { recursive: true, force: true });
});

describe('browser mode host', () => {
  it('listens on 127.0.0.1 only and puts the token in the URL fragment', () => {
    expect(address.url).toBe(`http://127.0.0.1:${address.port}/#token=${address.token}`);
    expect(address.token.length).toBeGreaterThanOrEqual(43);
  });

  it('serves the renderer with a CSP, hashed assets as immutable, unknown paths as the page, never outside its folder', async () => {
    const page = await send('/');
    expect(page.status).toBe(200);
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    expect(page.headers['cache-control']).toBe('no-cache');
    const asset = await send('/assets/app-1234.js');
    expect(asset.headers['content-type']).toContain('text/javascript');
    expect(asset.headers['cache-control']).toContain('immutable');
    expect((await send('/devices/anything')).body).toContain('<title>studio</title>');
    for (const path of ['/../secret.txt', '/%2e%2e/secret.txt', '/assets/..%2f..%2fsecret.txt']) {
      expect((await send(path)).body).not.toContain('do not serve');
    }
  });

  it('runs contract calls with the bearer token and refuses them without it', async () => {
    const ok = await send('/api/devices.create', { method: 'POST', headers: json(), body: JSON.stringify({ deviceId: 'web-1' }) });
    expect(JSON.parse(ok.body)).toMatchObject({ ok: true, value: { deviceId: 'web-1' } });
    expect((await send('/api/devices.list', { method: 'POST', headers: json('wrong'), body: '{}' })).status).toBe(401);
    expect((await send('/api/devices.list', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).status).toBe(401);
    expect((await send('/api/devices.list', { method: 'GET', headers: json() })).status).toBe(405);
    expect((await send('/api/devices.list', { method: 'POST', headers: { ...json(), 'content-type': 'text/plain' }, body: '{}' })).status).toBe(415);
    const unknown = await send('/api/devices.drop', { method: 'POST', headers: json(), body: '{}' });
    expect(JSON.parse(unknown.body)).toMatchObject({ ok: false, error: { code: 'UnknownChannel' } });
    const broken = await send('/api/devices.list', { method: 'POST', headers: json(), body: '{' });
    expect(JSON.parse(broken.body)).toMatchObject({ ok: false, error: { code: 'InvalidPayload' } });
  });

  it('refuses other hosts (DNS rebinding), other origins and cross-site requests', async () => {
    const body = '{}';
    expect((await send('/', { headers: { host: `evil.example:${address.port}` } })).status).toBe(403);
    expect((await send('/api/devices.list', { method: 'POST', headers: { ...json(), origin: 'http://evil.example' }, body })).status).toBe(403);
    expect((await send('/api/devices.list', { method: 'POST', headers: { ...json(), 'sec-fetch-site': 'cross-site' }, body })).status).toBe(403);
    expect((await send('/api/devices.list', { method: 'POST', headers: { ...json(), origin: `http://localhost:${address.port}` }, body })).status).toBe(200);
  });

  it('refuses bodies over the limit', async () => {
    const small = new BrowserHost({ host, handlers, rendererDir, maxBodyBytes: 10 });
    const smallAddress = await small.listen();
    try {
      const response = await fetch(`http://127.0.0.1:${smallAddress.port}/api/devices.list`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${smallAddress.token}` },
        body: JSON.stringify({ padding: 'x'.repeat(100) }),
      });
      expect(response.status).toBe(413);
    } finally {
      await small.close();
    }
  });

  it('streams pushes as server-sent events to a client with the token (status first, then changes)', async () => {
    expect((await send('/api/events?token=wrong')).status).toBe(401);
    const controller = new AbortController();
    const response = await fetch(`http://127.0.0.1:${address.port}/api/events?token=${encodeURIComponent(address.token)}`, { signal: controller.signal });
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const reader = response.body!.getReader();
    let text = '';
    const readUntil = async (needle: string) => {
      while (!text.includes(needle)) {
        const { value, done } = await reader.read();
        if (done) throw new Error('stream ended');
        text += new TextDecoder().decode(value);
      }
    };
    await readUntil('["emulator.status",');
    expect(text).toMatch(/^retry: 1000\n\nevent: pushes\ndata: \[\["emulator\.status",\{/);
    await send('/api/devices.create', { method: 'POST', headers: json(), body: JSON.stringify({ deviceId: 'web-sse' }) });
    await readUntil('"deviceId":"web-sse"');
    // The pushes of one turn travel as one event: an array of [channel, payload].
    expect(text).toMatch(/event: pushes\ndata: \[.*\["devices\.changed",\{"deviceId":"web-sse","reason":"created"/);
    controller.abort();
  });
});
