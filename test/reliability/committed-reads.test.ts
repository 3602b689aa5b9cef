import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import { createEmulator } from '../../emulator/index.js';
import { startHubProcess, type HubProcess } from '../helpers/hub-process.js';
import { childRest } from './support/child-rest.js';
import { streamPatches } from './support/patch-stream.js';

interface SeenTwin {
  readonly version: number;
  readonly reported: Record<string, unknown>;
}

/**
 * Read-committed (issue 10): a client only ever sees durable state, so after a SIGKILL no `$version` or etag a
 * client has seen can be issued again for different content. A device streams reported patches with 16 in flight
 * while a REST reader polls the twin; the hub is killed mid-stream. After a restart every twin a reader saw must
 * still be there — its version no higher than the restarted twin's, every key it showed present — so the next
 * writes get versions nobody has seen yet.
 */
describe('clients see only durable twins', () => {
  const dirs: string[] = [];
  let running: HubProcess | undefined;
  afterEach(async () => {
    await running?.kill();
    for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
  });

  it.each([[60], [250]])('never shows a version that a SIGKILL takes back (killed after %i acknowledgements)', async (killAfter) => {
    const dataDir = await mkdtemp(join(tmpdir(), 'twin-committed-'));
    dirs.push(dataDir);
    running = await startHubProcess(['--data-dir', dataDir, '--mqtts-port', '0', '--https-port', '0', '--https-fallback', 'off', '--amqps-port', 'off', '--device', 'seen']);
    const call = childRest(running.info);
    const stream = await streamPatches(running, 'seen', 5000, 16);
    const seen: SeenTwin[] = [];
    let reading = true;
    const reader = (async () => {
      while (reading) {
        const reply = await call({ method: 'GET', path: '/twins/seen?api-version=2021-04-12' }).catch(() => undefined);
        if (!reply || reply.status !== 200) return;
        const twin = JSON.parse(reply.text) as { version: number; properties: { reported: Record<string, unknown> } };
        seen.push({ version: twin.version, reported: twin.properties.reported });
      }
    })();
    await stream.acknowledged(killAfter);
    reading = false;
    await reader;
    await running.kill();
    stream.client.end(true);
    expect(seen.length).toBeGreaterThan(0);
    const newest = seen.reduce((a, b) => (b.version > a.version ? b : a));

    const hub = createEmulator({ dataDir, ports: { mqtts: 0, https: null, amqps: null }, fsync: false });
    await hub.start();
    try {
      const twin = hub.twins.getServiceTwin('seen') as { version: number; properties: { reported: Record<string, unknown> } };
      expect(twin.version).toBeGreaterThanOrEqual(newest.version);
      const lost = Object.keys(newest.reported).filter((key) => key.startsWith('k') && twin.properties.reported[key] !== newest.reported[key]);
      expect(lost).toEqual([]);
    } finally {
      await hub.stop();
    }
  });
});
