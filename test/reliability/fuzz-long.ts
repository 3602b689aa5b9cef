// The long fuzz run (issue 7): `npm run fuzz -- --minutes 10 [--seed 1]`, or `tsx test/reliability/fuzz-long.ts`.
// Starts the real CLI hub once and runs seeded campaigns (seed, seed+1, …) with bigger budgets than the test
// command's, until the time is up. Prints counters per phase; on a broken invariant prints the seed (replay with
// FUZZ_SEED=<seed> npx vitest run test/reliability/fuzz.test.ts, or --seed here) and exits 1.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import { startHubProcess } from '../helpers/hub-process.js';
import { FUZZ_DEVICES, runCampaign } from './fuzz/campaign.js';
import { alive, fuzzTarget, type FuzzStats } from './fuzz/fuzz-target.js';

const { values } = parseArgs({
  options: { minutes: { type: 'string', default: '5' }, seed: { type: 'string', default: String(Date.now() % 1_000_000) } },
  strict: true,
});
const minutes = Number(values.minutes);
const firstSeed = Number(values.seed);
if (!(minutes > 0) || !Number.isSafeInteger(firstSeed)) throw new Error('usage: fuzz-long.ts --minutes <n> --seed <int>');

const dataDir = await mkdtemp(join(tmpdir(), 'twin-fuzz-long-'));
const hub = await startHubProcess([
  '--data-dir', dataDir, '--mqtts-port', '0', '--mqtt-port', '0', '--https-port', '0', '--https-fallback', 'off', '--amqps-port', 'off', '--no-fsync',
  ...FUZZ_DEVICES.flatMap((id) => ['--device', id]),
]);
const target = await fuzzTarget(hub, dataDir, FUZZ_DEVICES);
const stats: FuzzStats = {};
const deadline = Date.now() + minutes * 60_000;
let seed = firstSeed;
let exitCode = 0;
try {
  while (Date.now() < deadline) {
    await runCampaign(target, seed, { wire: 400, connects: 100, deviceSteps: 1000, restCalls: 800 }, stats);
    console.log(`seed ${seed} ok (${Math.round((deadline - Date.now()) / 1000)} s left)`);
    seed += 1;
  }
  console.log(`\n${seed - firstSeed} campaigns, seeds ${firstSeed}..${seed - 1}, hub alive: ${alive(target)}`);
} catch (error) {
  console.error(`\nFAILED at seed ${seed}: ${(error as Error).message}`);
  exitCode = 1;
} finally {
  console.log(JSON.stringify(stats, null, 2));
  await hub.kill();
  await rm(dataDir, { recursive: true, force: true });
}
process.exit(exitCode);
