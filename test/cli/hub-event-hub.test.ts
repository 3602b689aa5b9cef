import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { humanHubOutput, startHubProcess } from '../helpers/hub-process.js';

// `npm run hub` prints the built-in endpoint's Event Hub-compatible connection string, in its `--json` ready line and
// in the human output (issue 14: "printed by the CLI in its human output and its --json ready line").

const PORTS = ['--mqtts-port', '0', '--https-port', '0', '--https-fallback', 'off', '--amqps-port', '0'];

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
    const printed = await humanHubOutput(['--data-dir', dataDir, ...PORTS]);
    const printedLine = printed.split('\n').find((line) => line.includes('Endpoint=sb://'))?.trim() ?? '';
    expect(printedLine.replace(/:\d+\//, '/')).toBe(eventHub.connectionString.replace(/:\d+\//, '/'));
    expect(printed).toContain('Event Hub-compatible endpoint (built-in, 4 partitions');
  });
});
