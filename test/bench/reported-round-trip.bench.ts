// Benchmarks 1-3 of the core issue, on the user's path: a reported-property PATCH round trip over MQTT/TLS
// (publish → 204, durable) with 1k/10k/100k twins stored, against raw Aedes QoS 1 publish → subscriber round trip on
// the same TLS setup; the bytes the hub writes per acknowledged ~100-byte patch (store counters and the server
// process's /proc write_bytes); and 64 concurrent writers.
import type { BenchContext, ServerSpec } from './bench-context.js';
import { ClosedLoop, type LoopResult } from './closed-loop.js';
import { closeFleet, connectFleet, ridOf, type Target } from './fleet.js';
import type { BenchRow } from './report.js';
import type { ServerProcess } from './server/server-process.js';
import type { WriteStats } from './server/server-protocol.js';
import { measureFdatasync } from './fsync-floor.js';
import { ratio, round1 } from './stats.js';

/** One load shape: how many devices, and how many requests each keeps in flight. */
interface LoadCase {
  readonly devices: number;
  readonly window: number;
}

interface Measured extends LoopResult {
  readonly serverCpuMsPerOp: number;
  readonly errors: number;
  /** Store counters and /proc write_bytes over the measuring window (hub only). */
  readonly writes?: { readonly start: WriteStats; readonly end: WriteStats };
}

const GOAL_RATIO = 0.5;
const GOAL_ACKS = 3000;
const GOAL_BYTES = 4096;
const PATCH_BYTES = 100;
const MiB = 1024 * 1024;

/** The body every request carries: a small reported patch of exactly 100 bytes of JSON. */
export function payload(token: number): string {
  const body = { temperature: 21.5, humidity: 40, firmware: '1.4.2', seq: token, note: '' };
  const pad = PATCH_BYTES - JSON.stringify(body).length;
  return JSON.stringify({ ...body, note: 'x'.repeat(Math.max(0, pad)) });
}

/**
 * Closed loop over `load`: the hub's devices publish reported patches at QoS 1 (as Python/C# do) and wait for
 * `res/204`; raw clients publish QoS 1 to `bench/<id>/?$rid=<n>` and wait for their own subscription to deliver it
 * at QoS 1. Same payload, same TLS, same loopback; the server's CPU time per operation is read from its process.
 */
async function measure(context: BenchContext, spec: ServerSpec, load: LoadCase): Promise<Measured> {
  return context.withServer(spec, async (target: Target, server: ServerProcess) => {
    const hub = target.kind === 'hub';
    const { clients } = await connectFleet(target, load.devices, {
      concurrency: 50,
      filters: (index) => (hub ? [{ topic: '$iothub/twin/res/#', qos: 0 }] : [{ topic: `bench/${target.prefix}${index}/#`, qos: 1 }]),
    });
    let errors = 0;
    const loop = new ClosedLoop(load.devices, load.window, (client, token) => {
      const topic = hub ? `$iothub/twin/PATCH/properties/reported/?$rid=${token}` : `bench/${target.prefix}${client}/?$rid=${token}`;
      clients[client]?.publish(topic, payload(token), 1);
    });
    for (const client of clients) {
      client.onMessage = (topic) => {
        if (hub && !topic.startsWith('$iothub/twin/res/204/')) errors += 1;
        loop.complete(ridOf(topic));
      };
    }
    let cpuStart = 0;
    let cpuEnd = 0;
    let statsStart: WriteStats | undefined;
    let statsEnd: WriteStats | undefined;
    const result = await loop.run({
      warmupMs: context.warmupMs,
      measureMs: context.measureMs,
      onMeasure: async (edge) => {
        if (edge === 'start') [cpuStart, statsStart] = [await server.cpuMs(), await server.request<WriteStats>({ cmd: 'stats' })];
        else [cpuEnd, statsEnd] = [await server.cpuMs(), await server.request<WriteStats>({ cmd: 'stats' })];
      },
    });
    await closeFleet(clients);
    const writes = hub && statsStart && statsEnd ? { writes: { start: statsStart, end: statsEnd } } : {};
    return { ...result, errors, serverCpuMsPerOp: result.ops > 0 ? (cpuEnd - cpuStart) / result.ops : Number.NaN, ...writes };
  });
}

function describeCase(load: LoadCase): string {
  return `${load.devices} dev × ${load.window} in flight`;
}

/** Bytes written per durable change over the window, and the journal share amortised with compaction. */
export interface BytesPerChange {
  readonly changes: number;
  /** Journal frames (and snapshots, if one was written in the window) per change. */
  readonly store: number;
  /** Journal bytes per change plus the snapshot that compaction writes every max(8 MiB, snapshot) journal bytes. */
  readonly amortised: number;
  /** The server process's /proc write_bytes per change (page-granular, includes segment preallocation zeros). */
  readonly proc: number;
  /** Bytes that reached the data dir's block device per change (machine-wide: other writers count too). */
  readonly device: number;
}

/** Store and /proc bytes per change between two stats readings; `snapshotBytes` is the size of the seeded snapshot. */
export function bytesPerChange(start: WriteStats, end: WriteStats, snapshotBytes: number): BytesPerChange {
  const changes = end.changes - start.changes;
  const journal = (end.journalBytes - start.journalBytes) / changes;
  const snapshots = (end.snapshotBytes - start.snapshotBytes) / changes;
  return {
    changes,
    store: Math.round(journal + snapshots),
    amortised: Math.round(journal * (1 + snapshotBytes / Math.max(8 * MiB, snapshotBytes))),
    proc: Math.round((end.procWriteBytes - start.procWriteBytes) / changes),
    device: Math.round((end.deviceWriteBytes - start.deviceWriteBytes) / changes),
  };
}

/**
 * At every stored-twin count: one device with one patch in flight (goal ≥ 0.5× raw Aedes) and 64 devices with one
 * each (goal ≥ 3,000 acks/s), hub with fsync on vs raw Aedes measured right before it; bytes written per ack.
 */
export async function benchReportedRoundTrip(context: BenchContext, storedTwins: readonly number[]): Promise<{ rows: BenchRow[]; data: object }> {
  const cases: LoadCase[] = [{ devices: 1, window: 1 }, { devices: 64, window: 1 }];
  const rows: BenchRow[] = [];
  const data: object[] = [];
  const fdatasync = await measureFdatasync(await context.dataDir('fdatasync'));
  let floorRow = false;
  for (const twins of storedTwins) {
    const snapshotBytes = await context.snapshotBytes(twins);
    for (const load of cases) {
      const raw = await measure(context, { kind: 'raw' }, load);
      const hub = await measure(context, { kind: 'hub', fsync: true, devices: load.devices, storedTwins: twins }, load);
      const bytes = hub.writes ? bytesPerChange(hub.writes.start, hub.writes.end, snapshotBytes) : undefined;
      data.push({ twins, snapshotBytes, load, raw, hub, bytes });
      rows.push(...caseRows(`${twins} twins, ${describeCase(load)}, fsync on`, load, raw, hub, bytes));
      if (load.devices === 1 && !floorRow) {
        // The best a durable hub can do for one device: raw round trip + one fdatasync, as a ratio to raw.
        floorRow = true;
        const floorMs = raw.latencyMs.p50 + fdatasync.p50;
        rows.push({
          bench: '1 reported RTT', case: 'durability floor: raw RTT + fdatasync of a 350 B append', metric: 'p50', value: round1(floorMs * 1000) / 1000, unit: 'ms',
          baselineName: 'raw Aedes QoS1', baseline: raw.latencyMs.p50, ratio: ratio(floorMs, raw.latencyMs.p50),
        });
      }
    }
  }
  return { rows, data: { patchBytes: payload(0).length, fdatasyncMs: fdatasync, cases: data } };
}

function caseRows(name: string, load: LoadCase, raw: Measured, hub: Measured, bytes: BytesPerChange | undefined): BenchRow[] {
  const bench = load.devices === 1 ? '1 reported RTT' : '3 64 writers';
  const baselineName = 'raw Aedes QoS1';
  const throughput = ratio(hub.opsPerSecond, raw.opsPerSecond);
  const goal = load.devices === 1 ? { goal: `≥ ${GOAL_RATIO}× raw`, met: throughput >= GOAL_RATIO } : { goal: `≥ ${GOAL_ACKS.toLocaleString('en-US')}/s`, met: hub.opsPerSecond >= GOAL_ACKS };
  const rows: BenchRow[] = [
    { bench, case: name, metric: 'acks', value: hub.opsPerSecond, unit: '/s', baselineName, baseline: raw.opsPerSecond, ratio: throughput, ...goal },
    { bench, case: name, metric: 'p50', value: hub.latencyMs.p50, unit: 'ms', baselineName, baseline: raw.latencyMs.p50, ratio: ratio(hub.latencyMs.p50, raw.latencyMs.p50) },
    { bench, case: name, metric: 'p99', value: hub.latencyMs.p99, unit: 'ms', baselineName, baseline: raw.latencyMs.p99, ratio: ratio(hub.latencyMs.p99, raw.latencyMs.p99) },
    { bench, case: name, metric: 'server CPU/op', value: round1(hub.serverCpuMsPerOp * 1000), unit: 'µs', baselineName, baseline: round1(raw.serverCpuMsPerOp * 1000), ratio: ratio(hub.serverCpuMsPerOp, raw.serverCpuMsPerOp) },
  ];
  if (bytes) {
    const perPatch = `per ${PATCH_BYTES}-byte patch`;
    const byteGoal = (value: number) => ({ goal: '≤ 4 KB', met: value <= GOAL_BYTES });
    rows.push(
      { bench: '2 bytes/patch', case: name, metric: `store, amortised compaction`, value: bytes.amortised, unit: 'B', baselineName: perPatch, baseline: PATCH_BYTES, ratio: ratio(bytes.amortised, PATCH_BYTES), ...byteGoal(bytes.amortised) },
      { bench: '2 bytes/patch', case: name, metric: '/proc write_bytes', value: bytes.proc, unit: 'B', baselineName: perPatch, baseline: PATCH_BYTES, ratio: ratio(bytes.proc, PATCH_BYTES), ...byteGoal(bytes.proc) },
      { bench: '2 bytes/patch', case: name, metric: 'disk (machine-wide)', value: bytes.device, unit: 'B', baselineName: perPatch, baseline: PATCH_BYTES, ratio: ratio(bytes.device, PATCH_BYTES), ...byteGoal(bytes.device) },
    );
  }
  return rows;
}
