// Benchmark 8 (issue 13): the device SDK's transports side by side on the user's path — the unmodified
// azure-iot-device with Mqtt, MqttWs, Amqp, AmqpWs and Http sending telemetry (sendEvent until the hub acknowledged
// it), and, where the SDK has twins, the reported-property round trip (update until the hub's durable 2xx). Each
// figure is a ratio to MQTT/TLS measured in the same run on the same hub, at each stored-twin count.
import deviceSdk from 'azure-iot-device';
import amqpTransport from 'azure-iot-device-amqp';
import httpTransport from 'azure-iot-device-http';
import mqttTransport from 'azure-iot-device-mqtt';

import { portForcingAgent } from '../helpers/port-agent.js';
import type { BenchContext } from './bench-context.js';
import type { Target } from './fleet.js';
import type { BenchRow } from './report.js';
import { ratio, round1 } from './stats.js';

type Transport = 'Mqtt' | 'MqttWs' | 'Amqp' | 'AmqpWs' | 'Http';
type DeviceClient = InstanceType<typeof deviceSdk.Client>;

const TRANSPORTS: readonly Transport[] = ['Mqtt', 'MqttWs', 'Amqp', 'AmqpWs', 'Http'];
/** Requests each client keeps in flight for the throughput figure (the latency figure keeps one). */
const WINDOW = 8;

interface TransportFigures {
  readonly transport: Transport;
  readonly telemetryPerSecond: number;
  readonly telemetrySequentialMs: number;
  /** Undefined for Http: the SDK refuses twins over HTTP. */
  readonly reportedPerSecond?: number;
}

async function open(target: Target, deviceId: string, transport: Transport): Promise<DeviceClient> {
  const { hostName, port, httpsPort, amqpsPort, caPem } = target.started;
  const base = `HostName=${hostName};DeviceId=${deviceId};SharedAccessKey=${target.deviceKey}`;
  const gateway = transport === 'Mqtt' ? `;GatewayHostName=${hostName}:${port}` : transport === 'Amqp' ? `;GatewayHostName=${hostName}:${amqpsPort ?? 5671}` : '';
  const ctor = { Mqtt: mqttTransport.Mqtt, MqttWs: mqttTransport.MqttWs, Amqp: amqpTransport.Amqp, AmqpWs: amqpTransport.AmqpWs, Http: httpTransport.Http }[transport];
  const client = deviceSdk.Client.fromConnectionString(base + gateway, ctor);
  // keepAlive, as Node's global agent (which the SDKs use by default) has since Node 19.
  const agent = portForcingAgent(httpsPort ?? 443, { keepAlive: true });
  const options: Record<string, unknown> = { ca: caPem };
  if (transport === 'MqttWs') options.mqtt = { webSocketAgent: agent };
  if (transport === 'AmqpWs') options.amqp = { webSocketAgent: agent };
  // Http's setOptions calls back only when the options carry a receive policy (azure-iot-device-http quirk).
  if (transport === 'Http') options.http = { agent, receivePolicy: { interval: 1 } };
  await client.setOptions(options);
  await client.open();
  return client;
}

/** Completed operations per second with `window` in flight, over `ms` after `warmupMs`. */
async function closedLoop(window: number, warmupMs: number, ms: number, operation: (n: number) => Promise<unknown>): Promise<{ perSecond: number; meanMs: number }> {
  let counting = false;
  let done = 0;
  let latency = 0;
  let stop = false;
  let n = 0;
  const worker = async () => {
    while (!stop) {
      const t0 = performance.now();
      await operation(n++);
      if (counting) {
        done += 1;
        latency += performance.now() - t0;
      }
    }
  };
  const workers = Array.from({ length: window }, () => worker());
  await new Promise((resolve) => setTimeout(resolve, warmupMs));
  counting = true;
  const start = performance.now();
  await new Promise((resolve) => setTimeout(resolve, ms));
  counting = false;
  const elapsed = performance.now() - start;
  stop = true;
  await Promise.all(workers);
  return { perSecond: (done * 1000) / elapsed, meanMs: done === 0 ? 0 : latency / done };
}

function updateReported(twin: Awaited<ReturnType<DeviceClient['getTwin']>>, patch: object): Promise<void> {
  return new Promise((resolve, reject) => twin.properties.reported.update(patch, (error?: Error) => (error ? reject(error) : resolve())));
}

async function measureTransport(context: BenchContext, target: Target, index: number, transport: Transport): Promise<TransportFigures> {
  const client = await open(target, `${target.prefix}${index}`, transport);
  try {
    const body = JSON.stringify({ temperature: 21.5, humidity: 40, firmware: '1.4.2', note: 'x'.repeat(40) });
    const send = () => client.sendEvent(new deviceSdk.Message(body));
    const throughput = await closedLoop(WINDOW, context.warmupMs, context.measureMs, send);
    const sequential = await closedLoop(1, context.warmupMs, context.measureMs, send);
    if (transport === 'Http') return { transport, telemetryPerSecond: throughput.perSecond, telemetrySequentialMs: sequential.meanMs };
    const twin = await client.getTwin();
    // One patch in flight: the reported round trip as a device that waits for each answer sees it.
    const reported = await closedLoop(1, context.warmupMs, context.measureMs, (n) => updateReported(twin, { seq: n, temperature: 21.5 }));
    return { transport, telemetryPerSecond: throughput.perSecond, telemetrySequentialMs: sequential.meanMs, reportedPerSecond: reported.perSecond };
  } finally {
    await client.close();
  }
}

/** Every transport on one hub with `storedTwins` twins (durable writes, fsync on, as `npm run hub` runs). */
export async function benchTransports(context: BenchContext, twinCounts: readonly number[]): Promise<{ rows: BenchRow[]; data: object }> {
  const rows: BenchRow[] = [];
  const figures: { storedTwins: number; transports: TransportFigures[] }[] = [];
  for (const storedTwins of twinCounts) {
    const measured = await context.withServer({ kind: 'hub', fsync: true, devices: TRANSPORTS.length, https: true, amqps: true, storedTwins }, async (target) => {
      const results: TransportFigures[] = [];
      for (const [index, transport] of TRANSPORTS.entries()) {
        console.error(`[bench] 8 transports: ${transport} @ ${storedTwins} twins…`);
        results.push(await measureTransport(context, target, index, transport));
      }
      return results;
    });
    figures.push({ storedTwins, transports: measured });
    const mqtt = measured.find((figure) => figure.transport === 'Mqtt');
    for (const figure of measured) {
      const at = `${figure.transport} @ ${storedTwins} twins`;
      rows.push({
        bench: 'transports', case: at, metric: `telemetry sendEvent/s (${WINDOW} in flight)`, value: round1(figure.telemetryPerSecond), unit: 'ops/s',
        baselineName: 'Mqtt, same hub', baseline: round1(mqtt?.telemetryPerSecond ?? 0), ratio: ratio(figure.telemetryPerSecond, mqtt?.telemetryPerSecond ?? 0),
      });
      rows.push({
        bench: 'transports', case: at, metric: 'telemetry sendEvent latency (1 in flight)', value: round1(figure.telemetrySequentialMs), unit: 'ms',
        baselineName: 'Mqtt, same hub', baseline: round1(mqtt?.telemetrySequentialMs ?? 0), ratio: ratio(figure.telemetrySequentialMs, mqtt?.telemetrySequentialMs ?? 0),
      });
      if (figure.reportedPerSecond !== undefined) {
        rows.push({
          bench: 'transports', case: at, metric: 'reported update round trips/s (1 in flight)', value: round1(figure.reportedPerSecond), unit: 'ops/s',
          baselineName: 'Mqtt, same hub', baseline: round1(mqtt?.reportedPerSecond ?? 0), ratio: ratio(figure.reportedPerSecond, mqtt?.reportedPerSecond ?? 0),
        });
      }
    }
  }
  return { rows, data: { window: WINDOW, figures } };
}
