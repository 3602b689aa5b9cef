// Benchmark 9 (issue 14): device telemetry ingest → Event Hubs consumer delivery on the user's path — lean MQTT
// devices publish QoS 1 telemetry at a fixed offered rate to a durable hub (fsync on), the unmodified @azure/event-hubs
// consumer reads the built-in endpoint in another process, and the figures (delivered events/s, p50/p99 latency from
// send to receive) sit next to raw Aedes pub/sub at the same offered rate on the same TLS setup, at each stored-twin
// count.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

import type { JsonObject } from '../../emulator/index.js';
import type { BenchContext } from './bench-context.js';
import { closeFleet, connectFleet, type Target } from './fleet.js';
import type { BenchRow } from './report.js';
import { ratio, round1, summarise, type LatencySummary } from './stats.js';

const CONSUMER = fileURLToPath(new URL('./event-consumer.mjs', import.meta.url));
const DEVICES = 10;

/**
 * The routed case: the fallback route off and one route to the built-in endpoint whose condition reads the sending
 * device's twin, so every message costs a route evaluation with a twin lookup among the stored twins.
 */
const ROUTED = {
  routing: { routes: [{ name: 'bench-site', source: 'DeviceMessages', condition: "$twin.tags.site = 'bench'", endpointNames: ['events'], isEnabled: true }], fallbackEnabled: false },
  deviceTags: { site: 'bench' },
} as const;

interface Delivered {
  readonly offered: number;
  readonly perSecond: number;
  readonly latency: LatencySummary;
}

/** Publishes `rate` messages/s spread over the devices for `ms`, each body carrying its send time. */
async function offer(clients: readonly { publish(topic: string, payload: string, qos: 0 | 1): void }[], topicOf: (index: number) => string, rate: number, ms: number): Promise<number> {
  const tickMs = 10;
  const perTick = Math.max(1, Math.round((rate * tickMs) / 1000));
  let sent = 0;
  const end = performance.now() + ms;
  let next = performance.now();
  while (performance.now() < end) {
    for (let i = 0; i < perTick; i += 1) {
      const index = sent % clients.length;
      clients[index]?.publish(topicOf(index), JSON.stringify({ t: Date.now(), n: sent, pad: 'x'.repeat(48) }), 1);
      sent += 1;
    }
    next += tickMs;
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, next - performance.now())));
  }
  return sent;
}

/** The hub: devices publish telemetry; the Event Hubs consumer child measures what arrives. */
async function throughHub(context: BenchContext, storedTwins: number, rate: number, routed: boolean): Promise<Delivered> {
  const routing = routed ? { routing: ROUTED.routing as unknown as JsonObject, deviceTags: ROUTED.deviceTags } : {};
  return context.withServer({ kind: 'hub', fsync: true, devices: DEVICES, https: false, amqps: true, storedTwins, ...routing }, async (target: Target) => {
    const { clients } = await connectFleet(target, DEVICES, { concurrency: 10, filters: () => [] });
    const port = target.started.amqpsPort ?? 5671;
    const key = /SharedAccessKey=([^;]+)/.exec(target.started.serviceConnectionString)?.[1] ?? '';
    const connectionString = `Endpoint=sb://localhost:${port}/;SharedAccessKeyName=iothubowner;SharedAccessKey=${key};EntityPath=localhost`;
    const durationMs = context.warmupMs + context.measureMs + 3000;
    const caFile = await writeCa(target.started.caPem);
    const child = spawn(process.execPath, [CONSUMER, connectionString, String(durationMs)], { env: { ...process.env, NODE_EXTRA_CA_CERTS: caFile }, stdio: ['ignore', 'pipe', 'inherit'] });
    let output = '';
    const ready = new Promise<void>((resolve) => child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('ready')) resolve();
    }));
    const finished = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    await ready;
    const offered = await offer(clients, (index) => `devices/${target.prefix}${index}/messages/events/`, rate, context.warmupMs + context.measureMs);
    await finished;
    await closeFleet(clients);
    const line = output.split('\n').find((text) => text.startsWith('{'));
    const { latencies } = JSON.parse(line ?? '{"latencies":[]}') as { latencies: number[] };
    return { offered, perSecond: (latencies.length * 1000) / (context.warmupMs + context.measureMs), latency: summarise(latencies) };
  });
}

/** Raw Aedes: the same publishers; one more client subscribed to every topic receives (QoS 1). */
async function throughRaw(context: BenchContext, rate: number): Promise<Delivered> {
  return context.withServer({ kind: 'raw' }, async (target: Target) => {
    const { clients } = await connectFleet(target, DEVICES + 1, { concurrency: 11, filters: (index) => (index === DEVICES ? [{ topic: 'bench/#', qos: 1 }] : []) });
    const subscriber = clients[DEVICES];
    const latencies: number[] = [];
    if (subscriber) subscriber.onMessage = (_topic, payload) => {
      const body = JSON.parse(payload.toString()) as { t: number };
      latencies.push(Date.now() - body.t);
    };
    const publishers = clients.slice(0, DEVICES);
    const offered = await offer(publishers, (index) => `bench/${target.prefix}${index}/t`, rate, context.warmupMs + context.measureMs);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await closeFleet(clients);
    return { offered, perSecond: (latencies.length * 1000) / (context.warmupMs + context.measureMs), latency: summarise(latencies) };
  });
}

let caPath: string | undefined;
async function writeCa(pem: string): Promise<string> {
  if (caPath) return caPath;
  const { mkdtemp, writeFile } = await import('node:fs/promises');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  caPath = join(await mkdtemp(join(tmpdir(), 'bench-ca-')), 'ca.pem');
  await writeFile(caPath, pem);
  return caPath;
}

/** Offered rates × stored-twin counts, each next to raw Aedes at the same rate. */
export async function benchEventIngest(context: BenchContext, twinCounts: readonly number[], rates: readonly number[]): Promise<{ rows: BenchRow[]; data: object }> {
  const rows: BenchRow[] = [];
  const figures: object[] = [];
  for (const rate of rates) {
    const raw = await throughRaw(context, rate);
    for (const [storedTwins, routed] of twinCounts.flatMap((count) => [[count, false], [count, true]] as const)) {
      console.error(`[bench] 9 event ingest: ${rate}/s offered @ ${storedTwins} twins${routed ? ', routed by a $twin condition' : ''}…`);
      const hub = await throughHub(context, storedTwins, rate, routed);
      figures.push({ rate, storedTwins, routed, hub, raw });
      const at = `${rate}/s offered @ ${storedTwins} twins${routed ? ', route on $twin.tags' : ''}`;
      rows.push({ bench: 'event-ingest', case: at, metric: 'delivered to the Event Hubs consumer', value: round1(hub.perSecond), unit: 'events/s', baselineName: 'raw Aedes pub/sub', baseline: round1(raw.perSecond), ratio: ratio(hub.perSecond, raw.perSecond) });
      rows.push({ bench: 'event-ingest', case: at, metric: 'send → receive p50', value: hub.latency.p50, unit: 'ms', baselineName: 'raw Aedes pub/sub', baseline: raw.latency.p50, ratio: ratio(hub.latency.p50, raw.latency.p50) });
      rows.push({ bench: 'event-ingest', case: at, metric: 'send → receive p99', value: hub.latency.p99, unit: 'ms', baselineName: 'raw Aedes pub/sub', baseline: raw.latency.p99, ratio: ratio(hub.latency.p99, raw.latency.p99) });
    }
  }
  return { rows, data: { devices: DEVICES, figures } };
}
