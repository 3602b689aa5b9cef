import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import mqtt from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';

import { createSasToken } from '../../emulator/auth/sas-token.js';
import { parseConnectionString } from '../../emulator/auth/connection-string.js';
import { createEmulator } from '../../emulator/index.js';
import { startHubProcess, type HubProcess } from '../helpers/hub-process.js';

/**
 * Crash safety (issue 2, issue 7): every reported patch the hub acknowledged with 204 must be in the data file after
 * a SIGKILL, and the file must parse. Patches are streamed concurrently so the kill lands while writes are in flight.
 */
describe('acknowledged updates survive kill -9', () => {
  const dirs: string[] = [];
  let running: HubProcess | undefined;
  afterEach(async () => {
    await running?.kill();
    for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
  });

  it.each([
    ['after all acknowledgements', 150, 150],
    ['early in the stream', 400, 40],
    ['in the middle of the stream', 400, 200],
  ])('keeps every acknowledged patch when killed %s', async (_when, total, killAfter) => {
    const dataDir = await mkdtemp(join(tmpdir(), 'twin-kill-'));
    dirs.push(dataDir);
    await addBallast(dataDir);
    running = await startHubProcess(['--data-dir', dataDir, '--mqtts-port', '0', '--https-port', 'off', '--device', 'crash']);
    const acked = await streamPatches(running, total, killAfter);
    await running.kill();
    expect(acked.size).toBeGreaterThanOrEqual(killAfter);

    const text = await readFile(join(dataDir, 'hub.json'), 'utf8');
    expect(() => JSON.parse(text)).not.toThrow();
    const hub = createEmulator({ dataDir, ports: { mqtts: 0, https: null }, fsync: false });
    await hub.start();
    try {
      const reported = (hub.twins.getServiceTwin('crash') as { properties: { reported: Record<string, unknown> } }).properties.reported;
      const missing = [...acked].filter((index) => reported[`k${index}`] !== index);
      expect(missing).toEqual([]);
      expect(reported.$version).toBeGreaterThanOrEqual(acked.size + 1);
    } finally {
      await hub.stop();
    }
  });
});

/**
 * 1,500 devices with ~1 KB of tags make every snapshot write take long enough (a few MB, fsync) that a hub which
 * acknowledged before writing would be caught by the kill.
 */
async function addBallast(dataDir: string): Promise<void> {
  const hub = createEmulator({ dataDir, ports: { mqtts: 0, https: null }, fsync: false });
  await hub.start();
  const tags = { note: 'x'.repeat(900), site: 'ballast' };
  await Promise.all(
    Array.from({ length: 1500 }, async (_, index) => {
      const deviceId = `ballast-${index}`;
      await hub.registry.create({ deviceId });
      await hub.twins.updateTwin(deviceId, { tags });
    }),
  );
  await hub.stop();
}

/** Publishes `total` reported patches without waiting, kills the hub after `killAfter` 204s; returns acked indexes. */
async function streamPatches(hub: HubProcess, total: number, killAfter: number): Promise<Set<number>> {
  const parts = parseConnectionString(hub.info.devices.crash ?? '');
  const client = await mqtt.connectAsync({
    host: '127.0.0.1',
    port: hub.info.ports.mqtts,
    protocol: 'mqtts',
    ca: await readFile(hub.info.caCertPath, 'utf8'),
    servername: 'localhost',
    clientId: 'crash',
    username: 'localhost/crash/?api-version=2021-04-12',
    password: createSasToken({
      resourceUri: 'localhost/devices/crash',
      base64Key: parts.SharedAccessKey ?? '',
      expiresAtSeconds: Math.floor(Date.now() / 1000) + 600,
    }),
    clean: false,
    reconnectPeriod: 0,
  });
  await client.subscribeAsync('$iothub/twin/res/#');
  const acked = new Set<number>();
  const done = new Promise<void>((resolve) => {
    client.on('message', (topic) => {
      const match = /^\$iothub\/twin\/res\/204\/\?\$rid=(\d+)&/.exec(topic);
      if (match) acked.add(Number(match[1]));
      if (acked.size >= killAfter) resolve();
    });
    client.on('close', () => resolve());
  });
  for (let index = 0; index < total; index++) {
    client.publish(`$iothub/twin/PATCH/properties/reported/?$rid=${index}`, JSON.stringify({ [`k${index}`]: index }));
  }
  await done;
  const snapshot = new Set(acked);
  await hub.kill();
  client.end(true);
  return snapshot;
}
