import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterEach, describe, expect, it } from 'vitest';

import { emptyHubState, type HubState } from '../../emulator/model/hub-state.js';
import { JournalStore } from '../../emulator/store/journal-store.js';
import { jsonOf, reduce } from '../conformance/change-fixtures.js';
import { journalWorkload, WORKLOAD_DEVICES } from './fixtures/journal-workload.js';
import { Prng } from './support/prng.js';

const WRITER = fileURLToPath(new URL('./fixtures/journal-writer.ts', import.meta.url));
const workload = journalWorkload();

/**
 * Crash safety of the journal store itself: a child appends with 16 concurrent writers (fsync on, compaction every
 * 16 KiB) and prints each acknowledged change; it is SIGKILLed at a seeded time, or just after a compaction began
 * writing its snapshot. The reopened state must be exactly the workload's first k changes, with k covering every
 * acknowledged change (the last batch may have made it to disk without its acknowledgement being printed).
 */
describe('JournalStore survives kill -9', () => {
  const dirs: string[] = [];
  afterEach(async () => {
    for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
  });

  it.each([
    [1, 'at a seeded time'],
    [2, 'during a compaction'],
    [3, 'at a seeded time'],
    [4, 'during a compaction'],
    [5, 'at a seeded time'],
  ])('round %i: killed %s, keeps every acknowledged change and nothing out of order', async (seed, when) => {
    const dataDir = await mkdtemp(join(tmpdir(), 'journal-crash-'));
    dirs.push(dataDir);
    const random = new Prng(seed);
    const duringCompaction = when === 'during a compaction';
    const delayMs = duringCompaction ? random.int(0, 3) : random.int(50, 600);
    // During a compaction: not the first one, so an older snapshot and segments of earlier compactions exist.
    const trigger = duringCompaction ? { line: 'compacting', count: random.int(4, 12) } : { line: 'ack', count: 1 };
    const { acked, compactions } = await runAndKill(dataDir, trigger, delayMs);
    expect(acked).toBeGreaterThanOrEqual(WORKLOAD_DEVICES - 1);
    if (when === 'during a compaction') expect(compactions).toBeGreaterThan(0);

    const store = new JournalStore({ dataDir, reduce, compactOnClose: false });
    const state = await store.open();
    const held = changesIn(state);
    expect(held).toBeGreaterThan(acked);
    expect(jsonOf(state)).toEqual(jsonOf(prefix(held)));
    await store.close();
    expect((await readdir(join(dataDir, 'journal'))).length).toBeLessThanOrEqual(3);
  });
});

/** Starts the writer, waits for the `count`th line starting with `line`, kills it `delayMs` later. */
function runAndKill(dataDir: string, trigger: { line: string; count: number }, delayMs: number): Promise<{ acked: number; compactions: number }> {
  const child = spawn(process.execPath, ['--import', 'tsx', WRITER, dataDir, '16384', '16'], { stdio: ['ignore', 'pipe', 'inherit'] });
  let acked = -1;
  let compactions = 0;
  let armed = false;
  let seen = 0;
  let pending = '';
  return new Promise((resolve, reject) => {
    const timeout = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.stdout.on('data', (chunk: Buffer) => {
      const lines = (pending + chunk.toString('utf8')).split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        if (line.startsWith('ack ')) acked = Math.max(acked, Number(line.slice(4)));
        if (line === 'compacting') compactions += 1;
        if (line.startsWith(trigger.line)) seen += 1;
        if (!armed && (seen >= trigger.count || line === 'done')) {
          armed = true;
          setTimeout(() => child.kill('SIGKILL'), delayMs);
        }
      }
    });
    child.on('error', reject);
    // Lines still in the pipe after the kill were printed after the acknowledgement and count too.
    child.on('close', () => {
      clearTimeout(timeout);
      resolve({ acked, compactions });
    });
  });
}

/** How many workload changes a state holds: the creations plus one twin version step per write. */
function changesIn(state: HubState): number {
  const devices = Object.values(state.devices);
  return devices.length + devices.reduce((sum, device) => sum + device.twin.version - 1, 0);
}

function prefix(count: number): HubState {
  const state = emptyHubState();
  for (const change of workload.slice(0, count)) reduce(state, change);
  return state;
}
