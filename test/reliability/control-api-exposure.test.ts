import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { EmulatorHost } from '../../main/emulator-host.js';
import { BrowserHost, type BrowserHostAddress } from '../../main/host/browser-host.js';
import { handlers } from '../../main/host/handlers/index.js';
import { startStudioHost } from '../helpers/studio-host.js';

/**
 * The studio's control API from the network's side (issue 7). test/unit/main/host/browser-host.test.ts checks the
 * guards request by request (token, Host, Origin, Sec-Fetch-Site); this checks what an attacker on the LAN sees:
 * the port is closed on every non-loopback address of this machine, and on loopback nothing answers without the
 * per-run token, neither the contract calls nor the event stream.
 */
const lanAddresses = Object.values(networkInterfaces())
  .flat()
  .filter((entry) => entry !== undefined && !entry.internal)
  .map((entry) => entry?.address ?? '');

function tcpOutcome(host: string, port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const timer = setTimeout(() => {
      socket.destroy();
      resolve('timeout');
    }, 2000);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.destroy();
      resolve('connected');
    });
    socket.once('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      resolve(error.code ?? 'error');
    });
  });
}

describe('the studio control API (browser mode)', () => {
  let host: EmulatorHost;
  let disposeHost: () => Promise<void>;
  let web: BrowserHost;
  let address: BrowserHostAddress;
  let rendererDir: string;

  beforeAll(async () => {
    ({ host, dispose: disposeHost } = await startStudioHost());
    rendererDir = await mkdtemp(join(tmpdir(), 'twin-exposure-'));
    await writeFile(join(rendererDir, 'index.html'), '<!doctype html>');
    web = new BrowserHost({ host, handlers, rendererDir });
    address = await web.listen();
  });
  afterAll(async () => {
    await web.close();
    await disposeHost();
    await rm(rendererDir, { recursive: true, force: true });
  });

  it.skipIf(lanAddresses.length === 0)(`is not reachable on this machine's LAN addresses (${lanAddresses.join(', ') || 'none'})`, async () => {
    const outcomes = await Promise.all(lanAddresses.map((lan) => tcpOutcome(lan, address.port)));
    expect(outcomes.filter((outcome) => outcome === 'connected')).toEqual([]);
  });

  it('answers nothing useful on loopback without the token: 401 for calls and the event stream', async () => {
    const base = `http://127.0.0.1:${address.port}`;
    const call = (token?: string) =>
      fetch(`${base}/api/devices.list`, { method: 'POST', headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: '{}' });
    expect((await call()).status).toBe(401);
    expect((await call(address.token.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A')))).status).toBe(401);
    expect((await fetch(`${base}/api/devices.list?token=${address.token}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).status).toBe(401);
    expect((await fetch(`${base}/api/events?token=wrong`)).status).toBe(401);
    expect((await call(address.token)).status).toBe(200);
  });
});
