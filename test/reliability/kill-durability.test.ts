import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import { createEmulator } from '../../emulator/index.js';
import { startHubProcess, type HubProcess } from '../helpers/hub-process.js';
import { childRest } from './support/child-rest.js';
import { streamPatches } from './support/patch-stream.js';
import { Prng } from './support/prng.js';

/**
 * Crash safety (issue 2, issue 7): every update the hub acknowledged — a reported patch answered 204, a service
 * PATCH answered 200 — must be in the data file after a SIGKILL, and the file must parse. Updates are streamed
 * concurrently so the kill lands while writes are in flight; the kill points are chosen by acknowledgement count
 * and, with several devices and a REST client writing at once, by seeded timers that fall anywhere in a write.
 */
describe('acknowledged updates survive kill -9', () => {
  const dirs: string[] = [];
  let running: HubProcess | undefined;
  afterEach(async () => {
    await running?.kill();
    for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
  });

  async function ballastedDir(): Promise<string> {
    const dataDir = await mkdtemp(join(tmpdir(), 'twin-kill-'));
    dirs.push(dataDir);
    await addBallast(dataDir);
    return dataDir;
  }

  it.each([
    ['after all acknowledgements', 150, 150],
    ['early in the stream', 400, 40],
    ['in the middle of the stream', 400, 200],
  ])('keeps every acknowledged patch when killed %s', async (_when, total, killAfter) => {
    const dataDir = await ballastedDir();
    running = await startHubProcess(['--data-dir', dataDir, '--mqtts-port', '0', '--https-port', 'off', '--amqps-port', 'off', '--device', 'crash']);
    const stream = await streamPatches(running, 'crash', total);
    await stream.acknowledged(killAfter);
    const acked = new Set(stream.acked);
    await running.kill();
    stream.client.end(true);
    expect(acked.size).toBeGreaterThanOrEqual(killAfter);
    await expectSurvived(dataDir, { crash: acked }, new Set());
  });

  it.each([[11], [23], [37]])('keeps every acknowledged write of 4 devices and a REST client, killed at a seeded time (seed %i)', async (seed) => {
    const killAfterMs = new Prng(seed).int(0, 400);
    const dataDir = await ballastedDir();
    const devices = ['d0', 'd1', 'd2', 'd3'];
    running = await startHubProcess(['--data-dir', dataDir, '--mqtts-port', '0', '--https-port', '0', '--https-fallback', 'off', '--amqps-port', 'off', ...devices.flatMap((id) => ['--device', id])]);
    // 16 in flight per device keeps a steady stream of group commits going until the kill.
    const streams = await Promise.all(devices.map((id) => streamPatches(running as HubProcess, id, 2000, 16)));
    const desired = streamDesired(running, 'd0');
    // The timer starts at the first acknowledgement, so the kill lands while writes are being acknowledged.
    await Promise.race(streams.map((stream) => stream.acknowledged(1)));
    await new Promise((resolve) => setTimeout(resolve, killAfterMs));
    // Snapshot before the kill: an acknowledgement that arrives later was not seen by any client.
    const acked = Object.fromEntries(streams.map((stream, i) => [devices[i] ?? '', new Set(stream.acked)]));
    const desiredAcked = new Set(desired.acked);
    await running.kill();
    desired.stop();
    for (const stream of streams) stream.client.end(true);
    const total = Object.values(acked).reduce((sum, set) => sum + set.size, 0) + desiredAcked.size;
    expect(total).toBeGreaterThan(0);
    await expectSurvived(dataDir, acked, desiredAcked);
  });
});

/** Restarts a hub on the data dir and checks every acknowledged reported key (per device) and desired key. */
async function expectSurvived(dataDir: string, reported: Record<string, Set<number>>, desired: Set<number>): Promise<void> {
  const text = await readFile(join(dataDir, 'hub.json'), 'utf8');
  expect(() => JSON.parse(text)).not.toThrow();
  const hub = createEmulator({ dataDir, ports: { mqtts: 0, https: null, amqps: null }, fsync: false });
  await hub.start();
  try {
    for (const [deviceId, acked] of Object.entries(reported)) {
      const twin = hub.twins.getServiceTwin(deviceId) as { properties: { reported: Record<string, unknown> } };
      const missing = [...acked].filter((index) => twin.properties.reported[`k${index}`] !== index);
      expect({ deviceId, missing }).toEqual({ deviceId, missing: [] });
      expect(twin.properties.reported.$version).toBeGreaterThanOrEqual(acked.size + 1);
    }
    if (desired.size > 0) {
      const twin = hub.twins.getServiceTwin('d0') as { properties: { desired: Record<string, unknown> } };
      expect([...desired].filter((n) => twin.properties.desired[`s${n}`] !== n)).toEqual([]);
    }
  } finally {
    await hub.stop();
  }
}

/**
 * 1,500 devices with ~1 KB of tags make every snapshot write take long enough (a few MB, fsync) that a hub which
 * acknowledged before writing would be caught by the kill.
 */
async function addBallast(dataDir: string): Promise<void> {
  const hub = createEmulator({ dataDir, ports: { mqtts: 0, https: null, amqps: null }, fsync: false });
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

/** Four REST writers PATCHing desired `{s<n>: n}` of `deviceId` until stopped; tracks the 200s. */
function streamDesired(hub: HubProcess, deviceId: string): { acked: Set<number>; stop(): void } {
  const call = childRest(hub.info);
  const acked = new Set<number>();
  let next = 0;
  let stopped = false;
  const writer = async () => {
    while (!stopped) {
      const n = next++;
      const reply = await call({ method: 'PATCH', path: `/twins/${deviceId}?api-version=2021-04-12`, body: JSON.stringify({ properties: { desired: { [`s${n}`]: n } } }) }).catch(() => undefined);
      if (reply === undefined) return;
      if (reply.status === 200 && !stopped) acked.add(n);
    }
  };
  for (let i = 0; i < 4; i++) void writer();
  return { acked, stop: () => (stopped = true) };
}
