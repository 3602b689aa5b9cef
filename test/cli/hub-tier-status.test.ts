import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import { afterAll, describe, expect, it } from 'vitest';

import { startHubProcess } from '../helpers/hub-process.js';
import { rest } from '../helpers/rest-client.js';

// `npm run hub -- --tier S1 --units 1` throttles, and `npm run hub -- status` shows what it counted per family
// (used / limit / window) and of the daily quota.

const CLI = fileURLToPath(new URL('../../emulator/cli/hub.ts', import.meta.url));
const PORTS = ['--mqtts-port', '0', '--https-port', '0', '--https-fallback', 'off', '--amqps-port', '0', '--no-fsync', '--memory'];
const run = promisify(execFile);

function status(dataDir: string, json = false) {
  return run(process.execPath, ['--import', 'tsx', CLI, 'status', '--data-dir', dataDir, ...(json ? ['--json'] : [])]);
}

describe('hub --tier and hub status', () => {
  const dirs: string[] = [];

  afterAll(async () => {
    await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
  });

  it('counts REST operations per family and prints them, and says when no hub runs', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'hub-tier-cli-'));
    dirs.push(dataDir);
    const running = await startHubProcess(['--data-dir', dataDir, '--tier', 's1', '--units', '1', ...PORTS, '--device', 'd1']);
    try {
      const hub = { info: running.info, policies: () => [{ keyName: 'iothubowner', connectionString: running.info.serviceConnectionString, primaryKey: /SharedAccessKey=([^;]+)/.exec(running.info.serviceConnectionString)?.[1] ?? '' }] };
      for (let i = 0; i < 3; i += 1) expect((await rest(hub as never, { method: 'GET', path: '/twins/d1' })).status).toBe(200);
      let document: { tierUsage: { tier: string; units: number; families: { family: string; admitted: number; limit: number; windowSeconds: number }[] } } | undefined;
      for (let attempt = 0; attempt < 50; attempt += 1) {
        const { stdout } = await status(dataDir, true);
        const parsed = JSON.parse(stdout) as NonNullable<typeof document>;
        if ((parsed.tierUsage.families.find((row) => row.family === 'twinRead')?.admitted ?? 0) >= 3) {
          document = parsed;
          break;
        }
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
      expect(document?.tierUsage).toMatchObject({ tier: 'S1', units: 1 });
      expect(document?.tierUsage.families.find((row) => row.family === 'twinRead')).toMatchObject({ limit: 100, windowSeconds: 1, admitted: 3 });
      const { stdout: text } = await status(dataDir);
      expect(text).toContain('tier S1 × 1');
      expect(text).toMatch(/twinUpdate\s+0 \/ 50 operations per s/);
      expect(text).toMatch(/identityRegistry\s+\S+ \/ 100 operations per min/);
      expect(text).toMatch(/daily quota: \d+ \/ 400000 messages of 4096 bytes/);
    } finally {
      await running.kill();
    }
    await expect(status(dataDir)).rejects.toMatchObject({ code: 1 });
  }, 90_000);
});
