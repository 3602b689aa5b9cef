// Benchmark 4 (issue 7): time to connect 10,000 devices (CONNECT + SUBSCRIBE, bounded concurrency) and the memory
// each connected device costs the server, against the same clients connecting to a bare Aedes broker.
import type { BenchContext, ServerSpec } from './bench-context.js';
import { closeFleet, connectFleet, type Target } from './fleet.js';
import type { BenchRow } from './report.js';
import type { ServerProcess } from './server/server-process.js';
import { ratio, round1 } from './stats.js';

/** Handshakes in flight at once: a fleet coming online, not a SYN flood. */
const CONCURRENCY = 100;

interface ConnectResult {
  readonly devices: number;
  readonly ms: number;
  readonly perSecond: number;
  /** Server memory per connected device (after GC), bytes. */
  readonly rssPerDevice: number;
  readonly heapPerDevice: number;
  /** Buffers and other memory outside the JS heap (TLS, socket and store buffers). */
  readonly externalPerDevice: number;
  readonly serverCpuMsPerConnect: number;
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
    const cpuBefore = await server.cpuMs();
    const { clients, ms } = await connectFleet(target, devices, { concurrency: CONCURRENCY, filters });
    const cpuAfter = await server.cpuMs();
    const after = await server.memory();
    await closeFleet(clients);
    return {
      devices,
      ms: Math.round(ms),
      perSecond: Math.round(devices / (ms / 1000)),
      rssPerDevice: Math.round((after.rss - before.rss) / devices),
      heapPerDevice: Math.round((after.heapUsed - before.heapUsed) / devices),
      externalPerDevice: Math.round((after.external - before.external) / devices),
      serverCpuMsPerConnect: (cpuAfter - cpuBefore) / devices,
    };
  });
}

/**
 * Connects `devices` clients to raw Aedes, to the hub (file store, fsync on, devices registered beforehand) and to a
 * hub with the memory store, which shows what persisting every session's SUBSCRIBE costs.
 */
export async function benchConnections(context: BenchContext, devices: number): Promise<{ rows: BenchRow[]; data: object }> {
  const raw = await measure(context, { kind: 'raw' }, devices);
  const hub = await measure(context, { kind: 'hub', fsync: true, devices }, devices);
  const memory = await measure(context, { kind: 'hub', fsync: false, memory: true, devices }, devices);
  const label = `${devices} devices, ${CONCURRENCY} at a time`;
  const memoryLabel = `${label}, memory store`;
  const rows: BenchRow[] = [
    { bench: '4 connections', case: label, metric: 'time to connect all', value: hub.ms / 1000, unit: 's', baselineName: 'raw Aedes', baseline: raw.ms / 1000, ratio: ratio(hub.ms, raw.ms) },
    { bench: '4 connections', case: label, metric: 'connects', value: hub.perSecond, unit: '/s', baselineName: 'raw Aedes', baseline: raw.perSecond, ratio: ratio(hub.perSecond, raw.perSecond) },
    { bench: '4 connections', case: label, metric: 'RSS per device', value: round1(hub.rssPerDevice / 1024), unit: 'KiB', baselineName: 'raw Aedes', baseline: round1(raw.rssPerDevice / 1024), ratio: ratio(hub.rssPerDevice, raw.rssPerDevice) },
    { bench: '4 connections', case: label, metric: 'heap per device', value: round1(hub.heapPerDevice / 1024), unit: 'KiB', baselineName: 'raw Aedes', baseline: round1(raw.heapPerDevice / 1024), ratio: ratio(hub.heapPerDevice, raw.heapPerDevice) },
    { bench: '4 connections', case: label, metric: 'server CPU/connect', value: round1(hub.serverCpuMsPerConnect), unit: 'ms', baselineName: 'raw Aedes', baseline: round1(raw.serverCpuMsPerConnect), ratio: ratio(hub.serverCpuMsPerConnect, raw.serverCpuMsPerConnect) },
    { bench: '4 connections', case: memoryLabel, metric: 'connects', value: memory.perSecond, unit: '/s', baselineName: 'raw Aedes', baseline: raw.perSecond, ratio: ratio(memory.perSecond, raw.perSecond) },
    { bench: '4 connections', case: memoryLabel, metric: 'RSS per device', value: round1(memory.rssPerDevice / 1024), unit: 'KiB', baselineName: 'raw Aedes', baseline: round1(raw.rssPerDevice / 1024), ratio: ratio(memory.rssPerDevice, raw.rssPerDevice) },
    { bench: '4 connections', case: memoryLabel, metric: 'server CPU/connect', value: round1(memory.serverCpuMsPerConnect), unit: 'ms', baselineName: 'raw Aedes', baseline: round1(raw.serverCpuMsPerConnect), ratio: ratio(memory.serverCpuMsPerConnect, raw.serverCpuMsPerConnect) },
  ];
  return { rows, data: { concurrency: CONCURRENCY, raw, hub, memoryStore: memory } };
}
