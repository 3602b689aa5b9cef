// Benchmark 1 (issue 7): reported-property PATCH round trip over MQTT/TLS (publish → 204, persisted), against raw
// Aedes QoS 1 publish → subscriber round trip on the same TLS setup.
import type { BenchContext, ServerSpec } from './bench-context.js';
import { ClosedLoop, type LoopResult } from './closed-loop.js';
import { closeFleet, connectFleet, ridOf, type Target } from './fleet.js';
import type { BenchRow } from './report.js';
import type { ServerProcess } from './server/server-process.js';
import { ratio, round1 } from './stats.js';

/** One load shape: how many devices, and how many requests each keeps in flight. */
interface LoadCase {
  readonly devices: number;
  readonly window: number;
}

interface Measured extends LoopResult {
  readonly serverCpuMsPerOp: number;
  readonly errors: number;
}

const GOAL_RATIO = 0.5;

/** The body every request carries (a typical small reported patch, ~60 bytes). */
function payload(token: number): string {
  return JSON.stringify({ temperature: 21.5, humidity: 40, firmware: '1.4.2', seq: token });
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
    const result = await loop.run({
      warmupMs: context.warmupMs,
      measureMs: context.measureMs,
      onMeasure: async (edge) => {
        if (edge === 'start') cpuStart = await server.cpuMs();
        else cpuEnd = await server.cpuMs();
      },
    });
    await closeFleet(clients);
    return { ...result, errors, serverCpuMsPerOp: result.ops > 0 ? (cpuEnd - cpuStart) / result.ops : Number.NaN };
  });
}

function describeCase(load: LoadCase): string {
  return `${load.devices} dev × ${load.window} in flight`;
}

/** Runs every load case against raw Aedes, the hub with fsync and the hub without; returns rows and raw results. */
export async function benchReportedRoundTrip(context: BenchContext, deviceCounts: readonly number[]): Promise<{ rows: BenchRow[]; data: object }> {
  const cases: LoadCase[] = deviceCounts.flatMap((devices) => (devices === 1 ? [{ devices, window: 1 }, { devices, window: 32 }] : [{ devices, window: 1 }]));
  const rows: BenchRow[] = [];
  const data: object[] = [];
  for (const load of cases) {
    const raw = await measure(context, { kind: 'raw' }, load);
    const fsyncOn = await measure(context, { kind: 'hub', fsync: true, devices: load.devices }, load);
    const fsyncOff = await measure(context, { kind: 'hub', fsync: false, devices: load.devices }, load);
    data.push({ load, raw, hubFsync: fsyncOn, hubNoFsync: fsyncOff });
    const name = describeCase(load);
    for (const [label, hub] of [['fsync on', fsyncOn], ['fsync off', fsyncOff]] as const) {
      const throughput = ratio(hub.opsPerSecond, raw.opsPerSecond);
      rows.push(
        {
          bench: '1 reported RTT', case: `${name}, ${label}`, metric: 'throughput', value: hub.opsPerSecond, unit: 'ops/s',
          baselineName: 'raw Aedes QoS1', baseline: raw.opsPerSecond, ratio: throughput,
          ...(label === 'fsync on' ? { goal: `≥ ${GOAL_RATIO}×`, met: throughput >= GOAL_RATIO } : {}),
        },
        { bench: '1 reported RTT', case: `${name}, ${label}`, metric: 'p50', value: hub.latencyMs.p50, unit: 'ms', baselineName: 'raw Aedes QoS1', baseline: raw.latencyMs.p50, ratio: ratio(hub.latencyMs.p50, raw.latencyMs.p50) },
        { bench: '1 reported RTT', case: `${name}, ${label}`, metric: 'p99', value: hub.latencyMs.p99, unit: 'ms', baselineName: 'raw Aedes QoS1', baseline: raw.latencyMs.p99, ratio: ratio(hub.latencyMs.p99, raw.latencyMs.p99) },
        { bench: '1 reported RTT', case: `${name}, ${label}`, metric: 'server CPU/op', value: round1(hub.serverCpuMsPerOp * 1000), unit: 'µs', baselineName: 'raw Aedes QoS1', baseline: round1(raw.serverCpuMsPerOp * 1000), ratio: ratio(hub.serverCpuMsPerOp, raw.serverCpuMsPerOp) },
      );
    }
  }
  return { rows, data: { cases: data } };
}
