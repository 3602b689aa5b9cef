import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterAll, describe, expect, it } from 'vitest';

import { humanHubOutput, startHubProcess } from '../helpers/hub-process.js';

// `npm run hub` prints the built-in endpoint's Event Hub-compatible connection string, in its `--json` ready line and
// in the human output (issue 14: "printed by the CLI in its human output and its --json ready line").

const CLI = fileURLToPath(new URL('../../emulator/cli/hub.ts', import.meta.url));

/** Runs the CLI expecting it to refuse to start: its exit code and stderr. */
function failedStart(args: readonly string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', CLI, ...args], { timeout: 20_000 }, (error, _stdout, stderr) => resolve({ code: error ? (error as { code?: number }).code ?? null : 0, stderr }));
  });
}

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

  it('takes endpoints and enrichments from --routes, prints the extra Event Hubs entity, and refuses a bad condition naming the file', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'hub-eh-cli-'));
    dirs.push(dataDir);
    const routes = join(dataDir, '..', `${dataDir.split('/').pop() ?? 'x'}-routes.json`);
    dirs.push(routes);
    const routing = {
      endpoints: { eventHubs: [{ name: 'alerts-hub', entityPath: 'alerts-stream' }], storageContainers: [{ name: 'archive', containerName: 'hot-archive' }] },
      routes: [{ name: 'alerts', source: 'DeviceMessages', condition: "level = 'alert'", endpointNames: ['alerts-hub'], isEnabled: true }],
      enrichments: [{ key: 'hub', value: '$iothubname', endpointNames: ['archive'] }],
    };
    await writeFile(routes, JSON.stringify({ properties: { routing } }));
    const running = await startHubProcess(['--data-dir', dataDir, ...PORTS, '--routes', routes]);
    const ready = running.info as typeof running.info & { routedEventHubs: Record<string, string> };
    await running.kill();
    expect(ready.routedEventHubs['alerts-stream']).toMatch(/^Endpoint=sb:\/\/localhost:\d+\/;SharedAccessKeyName=iothubowner;SharedAccessKey=.+;EntityPath=alerts-stream$/);
    const printed = await humanHubOutput(['--data-dir', dataDir, ...PORTS]);
    // Without --routes the stored routing stays, so the entity is still served and printed.
    expect(printed).toContain("Event Hubs endpoint of routing 'alerts-stream':");
    await writeFile(routes, JSON.stringify({ routing: { routes: [{ name: 'bad', source: 'DeviceMessages', condition: 'a = = 1', endpointNames: ['events'], isEnabled: true }] } }));
    const failure = await failedStart(['--data-dir', dataDir, ...PORTS, '--routes', routes]);
    expect(failure.code).toBe(2);
    expect(failure.stderr).toMatch(/--routes .*routes\.json: route 'bad': condition "a = = 1": .*position 4/);
  });
});
