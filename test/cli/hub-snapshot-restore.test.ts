import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { startHubProcess } from '../helpers/hub-process.js';
import { startTestHub } from '../helpers/start-hub.js';

// `npm run hub -- --restore-snapshot <name>` (issue 18): a classroom hub put back to a saved state at start.

const PORTS = ['--mqtts-port', '0', '--https-port', 'off', '--https-fallback', 'off', '--amqps-port', 'off'];

describe('the hub CLI restores a saved hub snapshot at start', () => {
  const dirs: string[] = [];

  afterAll(async () => {
    await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
  });

  it('brings back the saved twin (version and etag) durably, and refuses an unknown name', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'hub-snap-cli-'));
    dirs.push(dataDir);
    const first = await startTestHub({}, dataDir);
    await first.hub.registry.create({ deviceId: 'class-1' });
    await first.hub.twins.updateTwin('class-1', { tags: { step: 1 } });
    const saved = first.hub.twins.getServiceTwin('class-1');
    await first.hub.snapshots.save('before class');
    await first.hub.twins.updateTwin('class-1', { tags: { step: 2 } });
    await first.stop();

    const running = await startHubProcess(['--data-dir', dataDir, '--restore-snapshot', 'before class', ...PORTS]);
    await running.kill();
    const after = await startTestHub({}, dataDir);
    const twin = after.hub.twins.getServiceTwin('class-1');
    await after.stop();
    expect({ tags: twin.tags, version: twin.version, etag: twin.etag }).toEqual({ tags: { step: 1 }, version: saved.version, etag: saved.etag });

    await expect(startHubProcess(['--data-dir', dataDir, '--restore-snapshot', 'no such', ...PORTS])).rejects.toThrow(/Could not restore the snapshot 'no such': There is no hub snapshot named 'no such'/);
  }, 60_000);
});
