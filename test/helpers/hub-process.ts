import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

import type { EmulatorInfo } from '../../emulator/index.js';

const CLI = fileURLToPath(new URL('../../emulator/cli/hub.ts', import.meta.url));

/** A hub running in a child process through the real CLI (`npm run hub`). */
export interface HubProcess {
  readonly child: ChildProcess;
  readonly info: EmulatorInfo & { devices: Record<string, string> };
  /**
   * Calls `listener` with every stdout line after the ready line: first those already printed, then each new one.
   * (A second reader on the child's stdout could miss lines the first one had already buffered.)
   */
  onLine(listener: (line: string) => void): void;
  /** SIGKILL: no chance to flush anything. */
  kill(): Promise<void>;
}

/** Options of the child process. */
export interface HubProcessOptions {
  /** Run under `prlimit --nofile=<n>:<n>` (Linux): the hub gets at most n file descriptors. */
  readonly fdLimit?: number;
}

/** Starts `emulator/cli/hub.ts --json` and resolves with its ready line. */
export function startHubProcess(args: readonly string[], options: HubProcessOptions = {}): Promise<HubProcess> {
  const command = [process.execPath, '--import', 'tsx', CLI, '--json', ...args];
  if (options.fdLimit !== undefined) command.unshift('prlimit', `--nofile=${options.fdLimit}:${options.fdLimit}`, '--');
  const [file = '', ...rest] = command;
  const child = spawn(file, rest, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`hub process not ready in 20 s; stderr:\n${stderr}`));
    }, 20_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`hub process exited with ${code}; stderr:\n${stderr}`));
    });
    let ready = false;
    const after: string[] = [];
    const listeners: ((line: string) => void)[] = [];
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (ready) {
        after.push(line);
        for (const listener of listeners) listener(line);
        return;
      }
      const message = JSON.parse(line) as { event?: string } & HubProcess['info'];
      if (message.event !== 'ready') return;
      ready = true;
      clearTimeout(timer);
      resolve({
        child,
        info: message,
        onLine: (listener) => {
          for (const line of after) listener(line);
          listeners.push(listener);
        },
        kill: () =>
          new Promise<void>((done) => {
            if (child.exitCode !== null || child.signalCode !== null) return done();
            child.once('exit', () => done());
            child.kill('SIGKILL');
          }),
      });
    });
  });
}

/** Runs the CLI without `--json` until it prints "hub ready", stops it, and resolves with what it printed. */
export function humanHubOutput(args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`no "hub ready" in 20 s:\n${stdout}`));
    }, 20_000);
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (stdout.includes('hub ready')) child.kill('SIGTERM');
    });
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(stdout);
    });
  });
}
