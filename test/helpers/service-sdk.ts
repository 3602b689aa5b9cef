import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

import type { HubEmulator } from '../../emulator/index.js';

const PLAN_SCRIPT = fileURLToPath(new URL('../fixtures/service-sdk/run-plan.cjs', import.meta.url));

/** One step of a service-SDK plan (see `test/fixtures/service-sdk/run-plan.cjs` for the ops). */
export type PlanStep = { readonly op: string } & Record<string, unknown>;

/** What the child printed for one step. */
export interface StepResult {
  readonly op: string;
  readonly ok: boolean;
  readonly value?: unknown;
  /** `err.constructor.name` of a failed step, e.g. `InvalidEtagError`. */
  readonly errorName?: string;
  readonly message?: string;
  readonly ms: number;
}

/**
 * True when this process may bind port 443 on loopback. The real `azure-iothub` can only dial 443, so the tests that
 * drive it are skipped (and say why) on machines where a non-root user cannot bind it.
 */
export async function canBind443(): Promise<boolean> {
  return canBind(443);
}

/** True when `port` is free and this process may bind it on loopback. */
export async function canBind(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** Reason shown for skipped service-SDK tests. */
export const SKIP_443_REASON =
  'port 443 cannot be bound here (not root?): the azure-iothub service SDK always dials 443, see the README port-443 section';

/**
 * Runs `steps` with the real `azure-iothub` in a child node process that trusts the hub's CA through
 * NODE_EXTRA_CA_CERTS (the only way the service SDK accepts a CA, sdk-notes.md §4), and returns one result per step.
 */
export function runServicePlan(
  hub: HubEmulator,
  steps: readonly PlanStep[],
  options: { connectionString?: string; transport?: 'Amqp' | 'AmqpWs'; timeoutMs?: number; script?: string } = {},
): Promise<StepResult[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [options.script ?? PLAN_SCRIPT, JSON.stringify(steps)], {
      env: {
        ...process.env,
        NODE_EXTRA_CA_CERTS: hub.info.caCertPath,
        CS: options.connectionString ?? hub.info.serviceConnectionString,
        TRANSPORT: options.transport ?? 'Amqp',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 25_000);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      const results = stdout
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as StepResult);
      if (code !== 0 || results.length !== steps.length) {
        reject(new Error(`service SDK child exited ${code} after ${results.length}/${steps.length} steps:\n${stderr}\n${stdout}`));
        return;
      }
      resolve(results);
    });
  });
}
