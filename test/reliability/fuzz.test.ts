import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { startHubProcess, type HubProcess } from '../helpers/hub-process.js';
import { FUZZ_DEVICES, runCampaign } from './fuzz/campaign.js';
import { alive, fuzzTarget, type FuzzStats, type FuzzTarget } from './fuzz/fuzz-target.js';

/**
 * Bad-input fuzzing (issue 7), bounded for the test command: one seeded campaign (FUZZ_SEED overrides the seed) of
 * raw bytes over TLS and plain TCP, fuzzed SAS tokens and usernames, random topics, property bags, JSON bodies,
 * QoS 2 and 1 MB payloads from an authenticated device, and random REST calls and query strings, against the real
 * CLI in a child process. The hub must stay up, keep serving a normal device, answer in its own error formats and
 * leave untouched twins and the data file intact. The long run: `npm run fuzz -- --minutes 10`.
 */
const SEED = Number(process.env.FUZZ_SEED ?? 20_26);

describe('the hub under random and malformed input', () => {
  let dataDir: string;
  let hub: HubProcess;
  let target: FuzzTarget;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'twin-fuzz-'));
    hub = await startHubProcess([
      '--data-dir', dataDir, '--mqtts-port', '0', '--mqtt-port', '0', '--https-port', '0', '--https-fallback', 'off', '--amqps-port', 'off', '--no-fsync',
      ...FUZZ_DEVICES.flatMap((id) => ['--device', id]),
    ]);
    target = await fuzzTarget(hub, dataDir, FUZZ_DEVICES);
  });
  afterAll(async () => {
    await hub?.kill();
    await rm(dataDir, { recursive: true, force: true });
  });

  it(`survives a seeded campaign (seed ${SEED}) and answers in its own formats`, async () => {
    const stats: FuzzStats = {};
    await runCampaign(target, SEED, { wire: 150, connects: 40, deviceSteps: 300, restCalls: 240 }, stats);
    expect(alive(target)).toBe(true);
    // The campaign really exercised refusals and acceptances, not just one path.
    expect(Object.keys(stats.rest ?? {}).length).toBeGreaterThan(5);
    expect(stats.twin?.['204'] ?? 0).toBeGreaterThan(0);
    expect(Object.keys(stats.twin ?? {}).some((status) => status.startsWith('4'))).toBe(true);
    console.info(`fuzz seed ${SEED}: ${JSON.stringify(stats)}`);
  }, 120_000);
});
