// Benchmark 6 of the core issue: connecting persistent-session devices (clean=false, CONNECT + SUBSCRIBE, bounded
// concurrency) to a hub with 1k/10k twins stored, against the same clients connecting to a bare Aedes broker; and
// the bytes the hub writes per connected session (store counters and /proc write_bytes), which must not depend on
// how many twins are stored: O(sessions), not O(sessions × twins) as with the old whole-file store.
import type { BenchContext, ServerSpec } from './bench-context.js';
import { closeFleet, connectFleet, type Target } from './fleet.js';
import type { BenchRow } from './report.js';
import type { ServerProcess } from './server/server-process.js';
import type { WriteStats } from './server/server-protocol.js';
import { ratio, round1 } from './stats.js';

/** Handshakes in flight at once: a fleet coming online, not a SYN flood. */
const CONCURRENCY = 100;
/** Bytes per session may vary this much between stored-twin counts and still count as independent of them. */
const FLAT_GOAL = 1.5;

interface ConnectResult {
  readonly devices: number;
  readonly ms: number;
  readonly perSecond: number;
  /** Server memory per connected device (after GC), bytes. */
  readonly rssPerDevice: number;
  readonly heapPerDevice: number;
  readonly serverCpuMsPerConnect: number;
  /** Store bytes (journal + snapshots) and /proc write_bytes per connected session (hub only). */
  readonly storeBytesPerSession?: number;
  readonly procBytesPerSession?: number;
  readonly deviceBytesPerSession?: number;
  readonly fsyncs?: number;
}

async function measure(context: BenchContext, spec: ServerSpec, devices: number): Promise<ConnectResult> {
  return context.withServer(spec, async (target: Target, server: ServerProcess) => {
    const hub = target.kind === 'hub';
    // The hub's devices subscribe as the Node SDK does for twins; raw clients subscribe to two topics of their own.
    const filters = (index: number) =>
      hub
        ? [{ topic: '$iothub/twin/res/#', qos: 0 as const }, { topic: '$iothub/twin/PATCH/properties/desired/#', qos: 0 as const }]
        : [{ topic: `bench/${target.prefix}${index}/res/#`, qos: 0 as const }, { topic: `bench/${target.prefix}${index}/desired/#`, qos: 0 as const }];
    const before = await server.memory();
    const statsBefore = await server.request<WriteStats>({ cmd: 'stats' });
    const cpuBefore = await server.cpuMs();
    const { clients, ms } = await connectFleet(target, devices, { concurrency: CONCURRENCY, filters });
    const cpuAfter = await server.cpuMs();
    const statsAfter = await server.request<WriteStats>({ cmd: 'stats' });
    const after = await server.memory();
    await closeFleet(clients);
    const storeBytes = statsAfter.journalBytes + statsAfter.snapshotBytes - statsBefore.journalBytes - statsBefore.snapshotBytes;
    return {
      devices,
      ms: Math.round(ms),
      perSecond: Math.round(devices / (ms / 1000)),
      rssPerDevice: Math.round((after.rss - before.rss) / devices),
      heapPerDevice: Math.round((after.heapUsed - before.heapUsed) / devices),
      serverCpuMsPerConnect: (cpuAfter - cpuBefore) / devices,
      ...(hub && {
        storeBytesPerSession: Math.round(storeBytes / devices),
        procBytesPerSession: Math.round((statsAfter.procWriteBytes - statsBefore.procWriteBytes) / devices),
        deviceBytesPerSession: Math.round((statsAfter.deviceWriteBytes - statsBefore.deviceWriteBytes) / devices),
        fsyncs: statsAfter.batches - statsBefore.batches,
      }),
    };
  });
}

/**
 * At each stored-twin count, connects min(`connections`, twins) registered devices to raw Aedes and to the hub (file
 * store, fsync on). The bytes-per-session rows compare each size with the smallest one.
 */
export async function benchConnections(context: BenchContext, storedTwins: readonly number[], connections: number): Promise<{ rows: BenchRow[]; data: object }> {
  const rows: BenchRow[] = [];
  const data: object[] = [];
  let first: ConnectResult | undefined;
  for (const twins of storedTwins) {
    const devices = Math.min(connections, twins);
    const raw = await measure(context, { kind: 'raw' }, devices);
    const hub = await measure(context, { kind: 'hub', fsync: true, devices, storedTwins: twins }, devices);
    first ??= hub;
    data.push({ twins, raw, hub });
    const label = `${twins} twins, ${devices} clean=false devices, ${CONCURRENCY} at a time`;
    const vsRaw = 'raw Aedes';
    rows.push(
      { bench: '7 connections', case: label, metric: 'time to connect all', value: hub.ms / 1000, unit: 's', baselineName: vsRaw, baseline: raw.ms / 1000, ratio: ratio(hub.ms, raw.ms) },
      { bench: '7 connections', case: label, metric: 'RSS per device', value: round1(hub.rssPerDevice / 1024), unit: 'KiB', baselineName: vsRaw, baseline: round1(raw.rssPerDevice / 1024), ratio: ratio(hub.rssPerDevice, raw.rssPerDevice) },
      { bench: '7 connections', case: label, metric: 'server CPU/connect', value: round1(hub.serverCpuMsPerConnect), unit: 'ms', baselineName: vsRaw, baseline: round1(raw.serverCpuMsPerConnect), ratio: ratio(hub.serverCpuMsPerConnect, raw.serverCpuMsPerConnect) },
    );
    const baselineName = `same at ${storedTwins[0]} twins`;
    for (const [metric, key] of [['store bytes/session', 'storeBytesPerSession'], ['/proc write_bytes/session', 'procBytesPerSession'], ['disk bytes/session (machine-wide)', 'deviceBytesPerSession']] as const) {
      const value = hub[key] ?? Number.NaN;
      const baseline = first[key] ?? Number.NaN;
      const flat = ratio(value, baseline);
      rows.push({ bench: '7 connections', case: label, metric, value, unit: 'B', baselineName, baseline, ratio: flat, goal: `O(sessions): ≤ ${FLAT_GOAL}×`, met: flat <= FLAT_GOAL });
    }
  }
  return { rows, data: { concurrency: CONCURRENCY, sizes: data } };
}
