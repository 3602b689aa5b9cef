import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterAll, describe, expect, it } from 'vitest';

import { startHubProcess } from '../helpers/hub-process.js';

// `npm run hub` prints the built-in endpoint's Event Hub-compatible connection string, in its `--json` ready line and
// in the human output (issue 14: "printed by the CLI in its human output and its --json ready line").

const CLI = fileURLToPath(new URL('../../emulator/cli/hub.ts', import.meta.url));
const PORTS = ['--mqtts-port', '0', '--https-port', '0', '--https-fallback', 'off', '--amqps-port', '0'];

function humanOutput(dataDir: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CLI, '--data-dir', dataDir, ...PORTS], { stdio: ['ignore', 'pipe', 'pipe'] });
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

describe('the hub CLI and the Event Hub-compatible endpoint', () => {
  const dirs: string[] = [];

  afterAll(async () => {
    await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
  });

  it('prints the endpoint connection string (with the AMQP port when it is not 5671) in the ready line and the human output', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'hub-eh-cli-'));
    dirs.push(dataDir);
    const running = await startHubProcess(['--data-dir', dataDir, ...PORTS]);
    const { eventHub, ports } = running.info;
    await running.kill();
    expect(eventHub).toMatchObject({ name: 'localhost', partitions: 4 });
    expect(eventHub.connectionString).toMatch(new RegExp(`^Endpoint=sb://localhost:${ports.amqps}/;SharedAccessKeyName=iothubowner;SharedAccessKey=[A-Za-z0-9+/]+=*;EntityPath=localhost$`));
    // The AMQP port of the second run differs (port 0), so compare the rest.
    const printed = await humanOutput(dataDir);
    const printedLine = printed.split('\n').find((line) => line.includes('Endpoint=sb://'))?.trim() ?? '';
    expect(printedLine.replace(/:\d+\//, '/')).toBe(eventHub.connectionString.replace(/:\d+\//, '/'));
    expect(printed).toContain('Event Hub-compatible endpoint (built-in, 4 partitions');
  });
});
