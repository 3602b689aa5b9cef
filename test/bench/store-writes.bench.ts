// Benchmark 5 (issue 7): acknowledged writes per second of the file store with group commit, over 10k twins of
// ~1 KB, against a store that writes the document once per update (same lowdb adapter and serializer, same file,
// same fsync). Also profiles what one write costs: serialising the document vs writing and syncing it.
import { join } from 'node:path';

import { Low } from 'lowdb';

import { AtomicJsonFile } from '../../emulator/store/atomic-json-file.js';
import type { HubState } from '../../emulator/model/hub-state.js';
import { SnapshotSerializer } from '../../emulator/store/snapshot-serializer.js';
import { createEmulator, type HubEmulator } from '../../emulator/index.js';
import type { BenchContext } from './bench-context.js';
import { sleep } from './closed-loop.js';
import { averageRecordBytes, populateTwins } from './populate.js';
import type { BenchRow } from './report.js';
import { median, ratio, round1, summarise, type LatencySummary } from './stats.js';

/** Concurrent writers: e.g. 64 devices each waiting for its reported patch to be acknowledged. */
const WRITERS = 64;

interface Throughput {
  readonly acked: number;
  readonly seconds: number;
  readonly perSecond: number;
  readonly latencyMs: LatencySummary;
}

function startHub(dataDir: string, fsync: boolean): Promise<HubEmulator> {
  const hub = createEmulator({ dataDir, fsync, bindAddress: '127.0.0.1', ports: { mqtts: 0, https: null, amqps: null } });
  return hub.start().then(() => hub);
}

/** `WRITERS` loops of `patchReported` on random twins through the hub's twin service, for `ms`. */
async function groupCommit(hub: HubEmulator, twins: number, ms: number): Promise<Throughput> {
  const latencies: number[] = [];
  let running = true;
  let seq = 0;
  const writer = async () => {
    while (running) {
      const start = performance.now();
      const index = (seq * 7919) % twins;
      await hub.twins.patchReported(`dev-${index}`, { temperature: seq++ % 40, battery: 50 });
      if (running) latencies.push(performance.now() - start);
    }
  };
  const begin = performance.now();
  const writers = Array.from({ length: WRITERS }, writer);
  await sleep(ms);
  running = false;
  const seconds = (performance.now() - begin) / 1000;
  await Promise.all(writers);
  return { acked: latencies.length, seconds, perSecond: Math.round(latencies.length / seconds), latencyMs: summarise(latencies) };
}

/** Where the time of one write goes (medians of 5, ms). */
interface WriteProfile {
  /** `JSON.stringify` of the whole document (what the store did before SnapshotSerializer). */
  readonly fullStringifyMs: number;
  /** SnapshotSerializer after one record changed (what a write serialises now). */
  readonly incrementalSerializeMs: number;
  /** A whole write: serialise, temp file, fsync, rename, fsync folder. */
  readonly writeMs: number;
  readonly fileBytes: number;
}

/** The naive store: change one record, write the whole document, acknowledge; repeat for `ms`. */
async function writePerUpdate(dataDir: string, twins: number, fsync: boolean, ms: number): Promise<Throughput & { profile: WriteProfile }> {
  const serializer = new SnapshotSerializer();
  const adapter = new AtomicJsonFile<HubState>(join(dataDir, 'hub.json'), { fsync, serialize: (state) => serializer.serialize(state) });
  const db = new Low<HubState>(adapter, {} as HubState);
  await db.read();
  const devices = db.data.devices;
  const touch = (seq: number) => {
    const id = `dev-${(seq * 7919) % twins}`;
    const record = devices[id];
    if (record) devices[id] = { ...record, twin: { ...record.twin, version: record.twin.version + 1 } };
  };
  const latencies: number[] = [];
  const begin = performance.now();
  for (let seq = 0; performance.now() - begin < ms; seq++) {
    const start = performance.now();
    touch(seq);
    await db.write();
    latencies.push(performance.now() - start);
  }
  const seconds = (performance.now() - begin) / 1000;
  const timed = (run: () => unknown) => {
    const start = performance.now();
    run();
    return performance.now() - start;
  };
  const full: number[] = [];
  const incremental: number[] = [];
  for (let i = 0; i < 5; i++) {
    full.push(timed(() => JSON.stringify(db.data)));
    touch(i);
    incremental.push(timed(() => serializer.serialize(db.data)));
  }
  const profile: WriteProfile = {
    fullStringifyMs: round1(median(full)),
    incrementalSerializeMs: round1(median(incremental)),
    writeMs: round1(latencies.length > 0 ? median(latencies) : Number.NaN),
    fileBytes: JSON.stringify(db.data).length,
  };
  return { acked: latencies.length, seconds, perSecond: Math.round(latencies.length / seconds), latencyMs: summarise(latencies), profile };
}

/** Runs group commit and write-per-update with fsync on and off over `twins` populated twins. */
export async function benchStoreWrites(context: BenchContext, twins: number): Promise<{ rows: BenchRow[]; data: object }> {
  const dataDir = await context.dataDir('store');
  const seed = await startHub(dataDir, false);
  await populateTwins(seed, twins);
  const size = averageRecordBytes(seed);
  await seed.stop();
  const ms = context.measureMs;
  const results: Record<string, { group: Throughput; single: Throughput & { profile: WriteProfile } }> = {};
  const rows: BenchRow[] = [];
  for (const fsync of [true, false]) {
    const hub = await startHub(dataDir, fsync);
    await groupCommit(hub, twins, Math.min(1000, context.warmupMs));
    const group = await groupCommit(hub, twins, ms);
    await hub.stop();
    const single = await writePerUpdate(dataDir, twins, fsync, ms);
    const label = `${twins} twins, fsync ${fsync ? 'on' : 'off'}`;
    results[label] = { group, single };
    rows.push(
      { bench: 'store (breakdown)', case: label, metric: 'acked writes', value: group.perSecond, unit: '/s', baselineName: 'write per update', baseline: single.perSecond, ratio: ratio(group.perSecond, single.perSecond) },
      { bench: 'store (breakdown)', case: label, metric: 'ack p50', value: group.latencyMs.p50, unit: 'ms', baselineName: 'write per update', baseline: single.latencyMs.p50, ratio: ratio(group.latencyMs.p50, single.latencyMs.p50) },
      { bench: 'store (breakdown)', case: label, metric: 'ack p99', value: group.latencyMs.p99, unit: 'ms', baselineName: 'write per update', baseline: single.latencyMs.p99, ratio: ratio(group.latencyMs.p99, single.latencyMs.p99) },
    );
    if (fsync) {
      const { profile } = single;
      rows.push({
        bench: 'store (breakdown)', case: `${twins} twins, ${Math.round(profile.fileBytes / 1e6)} MB file`, metric: 'serialise/write', value: profile.incrementalSerializeMs, unit: 'ms',
        baselineName: 'full JSON.stringify', baseline: profile.fullStringifyMs, ratio: ratio(profile.incrementalSerializeMs, profile.fullStringifyMs),
      });
    }
  }
  return { rows, data: { twins, writers: WRITERS, recordBytes: size.record, twinBytes: size.twin, results } };
}
