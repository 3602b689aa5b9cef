import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

import type { HubStarted, ServerCommand, ServerReply } from './server-protocol.js';

const ENTRY = fileURLToPath(new URL('./bench-server.ts', import.meta.url));

/** The parent's handle on a bench server child. */
export class ServerProcess {
  private nextId = 1;
  private readonly waiting = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();

  private constructor(private readonly child: ChildProcess) {
    child.on('message', (reply: ServerReply) => {
      const waiter = this.waiting.get(reply.id);
      this.waiting.delete(reply.id);
      if (reply.ok) waiter?.resolve(reply.value);
      else waiter?.reject(new Error(reply.error));
    });
    child.on('exit', (code, signal) => {
      for (const waiter of this.waiting.values()) waiter.reject(new Error(`bench server exited (${code ?? signal})`));
      this.waiting.clear();
    });
  }

  /**
   * Forks the child (tsx, --expose-gc) and waits until it listens for commands. BENCH_SERVER_FLAGS adds node flags,
   * e.g. `--cpu-prof --cpu-prof-dir=bench-results/profiles` to profile the system under test.
   */
  static async spawn(): Promise<ServerProcess> {
    const extra = (process.env.BENCH_SERVER_FLAGS ?? '').split(' ').filter((flag) => flag !== '');
    const child = fork(ENTRY, [], { execArgv: ['--expose-gc', ...extra, '--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const server = new ServerProcess(child);
    await new Promise<void>((resolve, reject) => {
      server.waiting.set(0, { resolve: () => resolve(), reject });
      child.once('error', reject);
    });
    return server;
  }

  /** Sends one command and resolves with the child's answer. */
  request<T = unknown>(command: ServerCommand, timeoutMs = 600_000): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        reject(new Error(`bench server: ${command.cmd} timed out`));
      }, timeoutMs);
      this.waiting.set(id, {
        resolve: (value) => {
          clearTimeout(timer);
          resolve(value as T);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
      this.child.send({ id, command });
    });
  }

  start(command: Extract<ServerCommand, { cmd: 'start-hub' | 'start-raw' }>): Promise<HubStarted> {
    return this.request<HubStarted>(command);
  }

  /** CPU time (user + system) the child has used so far, in ms. */
  async cpuMs(): Promise<number> {
    const usage = await this.request<NodeJS.CpuUsage>({ cmd: 'cpu' });
    return (usage.user + usage.system) / 1000;
  }

  /** Memory after two forced GCs. */
  memory(): Promise<NodeJS.MemoryUsage> {
    return this.request<NodeJS.MemoryUsage>({ cmd: 'memory' });
  }

  /** Stops the server and ends the child. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    await this.request({ cmd: 'stop' }, 60_000).catch(() => undefined);
    this.child.disconnect();
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }
}
