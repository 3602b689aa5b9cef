import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

import type { Envelope, EmulatorStatusDto, InvokeChannel, Invokes, TrafficEventDto } from '../../main/contract/index.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** A running browser-mode studio (built output, as `npm start` runs it) on free ports in a temp data folder. */
export interface StudioProcess {
  readonly url: string;
  readonly port: number;
  readonly hub: EmulatorStatusDto;
  readonly dataDir: string;
  readonly output: () => string;
  stop(): Promise<void>;
}

/** Starts `node dist/main/browser.js` and waits for its JSON ready line. Needs `npm run build` first. */
export async function startBrowserMode(extraArgs: readonly string[] = []): Promise<StudioProcess> {
  const entry = join(root, 'dist', 'main', 'browser.js');
  if (!existsSync(entry) || !existsSync(join(root, 'dist', 'renderer', 'index.html'))) {
    throw new Error('The studio is not built: run `npm run build` (npm run test:e2e does).');
  }
  const dataDir = await mkdtemp(join(tmpdir(), 'twin-studio-e2e-'));
  const args = [entry, '--json', '--port', '0', '--data-dir', dataDir, '--mqtts-port', '0', '--https-port', 'off', '--amqps-port', 'off', ...extraArgs];
  const child = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stderr?.on('data', (chunk: Buffer) => (log += chunk.toString()));
  const ready = await readyLine(child, () => log);
  return {
    url: ready.url,
    port: ready.port,
    hub: ready.hub,
    dataDir,
    output: () => log,
    stop: async () => {
      await stopChild(child);
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

interface ReadyLine {
  url: string;
  port: number;
  hub: EmulatorStatusDto;
}

function readyLine(child: ChildProcess, log: () => string): Promise<ReadyLine> {
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => reject(new Error(`browser mode did not start within 20 s:\n${log()}`)), 20_000);
    child.once('exit', (code) => reject(new Error(`browser mode exited with ${code}:\n${log()}`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (!line.startsWith('{')) return;
      const parsed = JSON.parse(line) as ReadyLine & { event: string };
      if (parsed.event !== 'ready') return;
      clearTimeout(timer);
      resolvePromise(parsed);
    });
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolvePromise) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolvePromise();
    });
    child.kill('SIGTERM');
  });
}

/** Calls the studio's contract over HTTP like the page does (token from the URL fragment). */
export async function callStudio<K extends InvokeChannel>(studio: Pick<StudioProcess, 'url'>, channel: K, req: Invokes[K]['req']): Promise<Invokes[K]['res']> {
  const url = new URL(studio.url);
  const token = new URLSearchParams(url.hash.slice(1)).get('token') ?? '';
  const response = await fetch(`${url.origin}/api/${channel}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, origin: url.origin },
    body: JSON.stringify(req),
  });
  const envelope = (await response.json()) as Envelope<Invokes[K]['res']>;
  if (!envelope.ok) throw new Error(`${channel}: ${envelope.error.code}: ${envelope.error.message}`);
  return envelope.value;
}

/** Polls the studio's traffic until an event matches (e.g. the SDK's asynchronous SUBSCRIBE was granted). */
export async function waitForStudioTraffic(studio: StudioProcess, predicate: (event: TrafficEventDto) => boolean, timeoutMs = 10_000): Promise<TrafficEventDto> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const match = (await callStudio(studio, 'traffic.snapshot', {})).find(predicate);
    if (match) return match;
    if (Date.now() > deadline) throw new Error(`no matching traffic within ${timeoutMs} ms`);
    await new Promise((resolvePromise) => setTimeout(resolvePromise, 50));
  }
}
