// Benchmark 4 (goal 5 of the core issue): create 10,000 devices over REST with the bulk registry call (`POST /devices`,
// 100 per call, one call at a time, as a provisioning script does), hub with fsync on. Goal: ≤ 10 s. Baseline: the
// same hub process creating the same number of devices in-process through the registry, 100 concurrent creates at a
// time (no HTTP, no TLS, no JSON): the floor the REST path is compared with.
import { ServiceRestClient } from '../../emulator/load/service-rest-client.js';
import type { BenchContext } from './bench-context.js';
import type { BenchRow } from './report.js';
import type { WriteStats } from './server/server-protocol.js';
import { ratio, round1 } from './stats.js';

const BATCH = 100;
const GOAL_SECONDS = 10;

interface BulkResult {
  readonly ms: number;
  readonly failed: number;
  /** Durable batches (fdatasyncs) the store needed for the whole run. */
  readonly fsyncs: number;
  readonly serverCpuMs: number;
}

/** `devices` identities in bulk calls of 100 over HTTPS; every call must answer 200. */
async function overRest(context: BenchContext, devices: number): Promise<BulkResult> {
  return context.withServer({ kind: 'hub', fsync: true, devices: 0, https: true }, async (target, server) => {
    const { started } = target;
    const client = new ServiceRestClient(started.serviceConnectionString, started.caPem, started.httpsPort ?? 0, '127.0.0.1');
    try {
      const before = await server.request<WriteStats>({ cmd: 'stats' });
      const cpuBefore = await server.cpuMs();
      let failed = 0;
      const start = performance.now();
      for (let from = 0; from < devices; from += BATCH) {
        const items = Array.from({ length: Math.min(BATCH, devices - from) }, (_, i) => ({ id: `bulk-${from + i}`, importMode: 'create' }));
        const response = await client.bulkModify(items);
        if (response.status !== 200) failed += items.length;
      }
      const ms = performance.now() - start;
      const after = await server.request<WriteStats>({ cmd: 'stats' });
      return { ms, failed, fsyncs: after.batches - before.batches, serverCpuMs: (await server.cpuMs()) - cpuBefore };
    } finally {
      client.close();
    }
  });
}

/** The same count created in-process, `BATCH` concurrent `registry.create` calls at a time. */
async function inProcess(context: BenchContext, devices: number): Promise<BulkResult> {
  return context.withServer({ kind: 'hub', fsync: true, devices: 0 }, async (_target, server) => {
    const before = await server.request<WriteStats>({ cmd: 'stats' });
    const cpuBefore = await server.cpuMs();
    const ms = await server.request<number>({ cmd: 'create-devices', prefix: 'bulk-', count: devices, chunk: BATCH });
    const after = await server.request<WriteStats>({ cmd: 'stats' });
    return { ms, failed: 0, fsyncs: after.batches - before.batches, serverCpuMs: (await server.cpuMs()) - cpuBefore };
  });
}

/** Bulk create over REST vs the in-process floor; rows for the summary table. */
export async function benchBulkCreate(context: BenchContext, devices: number): Promise<{ rows: BenchRow[]; data: object }> {
  const floor = await inProcess(context, devices);
  const rest = await overRest(context, devices);
  if (rest.failed > 0) throw new Error(`bulk create: ${rest.failed} devices were not created`);
  const label = `${devices.toLocaleString('en-US')} devices, ${BATCH} per call, fsync on`;
  const baselineName = 'in-process registry.create ×100';
  const seconds = rest.ms / 1000;
  const goalSeconds = (GOAL_SECONDS * devices) / 10_000;
  return {
    rows: [
      {
        bench: '5 bulk create', case: label, metric: 'total', value: round1(seconds), unit: 's', baselineName, baseline: round1(floor.ms / 1000),
        ratio: ratio(rest.ms, floor.ms), goal: `≤ ${round1(goalSeconds)} s`, met: seconds <= goalSeconds,
      },
      { bench: '5 bulk create', case: label, metric: 'fdatasyncs', value: rest.fsyncs, unit: '', baselineName, baseline: floor.fsyncs, ratio: ratio(rest.fsyncs, floor.fsyncs) },
      { bench: '5 bulk create', case: label, metric: 'server CPU/device', value: round1((rest.serverCpuMs / devices) * 1000), unit: 'µs', baselineName, baseline: round1((floor.serverCpuMs / devices) * 1000), ratio: ratio(rest.serverCpuMs, floor.serverCpuMs) },
    ],
    data: { devices, batch: BATCH, rest, inProcess: floor },
  };
}
