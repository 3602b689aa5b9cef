import { spawn } from 'node:child_process';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { canBind443On, startLoopbackHub } from '../helpers/loopback-hub.js';
import { SKIP_443_REASON } from '../helpers/service-sdk.js';
import type { TestHub } from '../helpers/start-hub.js';

// The root README's jobs-and-configurations snippet, run exactly as printed with the real `azure-iothub`.

const README = fileURLToPath(new URL('../../README.md', import.meta.url));
const SCRIPT = fileURLToPath(new URL('../../.test-tmp/fleet-readme-snippet.mjs', import.meta.url));
const can443 = await canBind443On('127.0.0.2');

async function snippet(): Promise<string> {
  const text = await readFile(README, 'utf8');
  const marker = text.indexOf('<!-- fleet-snippet');
  const start = text.indexOf('```js\n', marker);
  const end = text.indexOf('\n```', start + 6);
  if (marker < 0 || start < 0 || end < 0) throw new Error('README has no fleet snippet');
  return text.slice(start + 6, end + 1);
}

describe.skipIf(!can443)(can443 ? 'the README fleet snippet' : `the README fleet snippet — SKIPPED: ${SKIP_443_REASON}`, () => {
  let hub: TestHub;

  beforeAll(async () => {
    hub = await startLoopbackHub();
    // Inside the repository, so the snippet's imports resolve from its node_modules.
    await mkdir(dirname(SCRIPT), { recursive: true });
    await writeFile(SCRIPT, await snippet());
  });

  afterAll(async () => {
    await rm(SCRIPT, { force: true });
    await hub?.dispose();
  });

  it('prints what the README says it prints', async () => {
    const output = await new Promise<string>((resolve, reject) => {
      const child = spawn(process.execPath, [SCRIPT], {
        env: { ...process.env, NODE_EXTRA_CA_CERTS: hub.hub.info.caCertPath, IOTHUB_CONNECTION_STRING: hub.hub.info.serviceConnectionString },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const timer = setTimeout(() => child.kill('SIGKILL'), 25_000);
      child.once('close', (code) => {
        clearTimeout(timer);
        if (code === 0) resolve(stdout);
        else reject(new Error(`snippet exited ${code}: ${stderr}`));
      });
    });
    expect(output).toBe(
      'completed {"deviceCount":2,"failedCount":0,"succeededCount":2,"runningCount":0,"pendingCount":0}\n' +
      '{ targetedCount: 2, appliedCount: 2 }\n',
    );
  });
});
