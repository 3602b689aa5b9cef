import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { freePort } from './free-port.js';

/** A real `redis-server` started for a test on a free port, with its data in a temp folder. */
export interface RedisServer {
  readonly port: number;
  /** `redis://127.0.0.1:<port>` */
  readonly url: string;
  readonly dir: string;
  readonly child: ChildProcess;
  /** Stops the server (SIGKILL when `hard`: no chance to flush) and deletes its folder. */
  stop(options?: { hard?: boolean; keepDir?: boolean }): Promise<void>;
}

/** Options of the server. */
export interface RedisServerOptions {
  /** AOF fsync policy (default `always`: an acknowledged write survives a power loss). */
  readonly appendfsync?: 'always' | 'everysec';
  /** Reuse this folder (a restart over the same AOF). */
  readonly dir?: string;
  /** Reuse this port (a restart). */
  readonly port?: number;
}

/** Starts `redis-server --port N --dir tmp --appendonly yes` and resolves once it answers PING. */
export async function startRedisServer(options: RedisServerOptions = {}): Promise<RedisServer> {
  const dir = options.dir ?? (await mkdtemp(join(tmpdir(), 'redis-test-')));
  const port = options.port ?? (await freePort());
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--appendfsync', options.appendfsync ?? 'always', '--save', '', '--daemonize', 'no', '--loglevel', 'warning'];
  const child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const deadline = Date.now() + 15_000;
  while (!(await answersPing(port))) {
    if (child.exitCode !== null) throw new Error(`redis-server exited with ${child.exitCode}: ${output}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`redis-server did not answer on ${port} within 15 s: ${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    dir,
    child,
    async stop({ hard = false, keepDir = false } = {}) {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill(hard ? 'SIGKILL' : 'SIGTERM');
        await exited;
      }
      if (!keepDir) await rm(dir, { recursive: true, force: true });
    },
  };
}

/** True when a RESP PING on the port gets +PONG. */
function answersPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host: '127.0.0.1' });
    let reply = '';
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk: Buffer) => {
      reply += chunk.toString();
      if (reply.includes('\r\n')) done(reply.startsWith('+PONG'));
    });
  });
}
