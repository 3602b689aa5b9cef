// Benchmark 3b of the core issue: a desired-property PATCH through the service REST API until the notification
// reaches the device, with 1,000 devices connected and 1k/10k/100k twins stored; against raw Aedes delivering a
// publish to one of 1,000 subscribers. Goal: p50 ≤ 3 ms.
import { Agent, request } from 'node:https';

import type { BenchContext } from './bench-context.js';
import { closeFleet, connectFleet, type Target } from './fleet.js';
import type { LeanMqttClient } from '../helpers/lean-mqtt-client.js';
import type { BenchRow } from './report.js';
import type { ServerProcess } from './server/server-process.js';
import { ratio, summarise, type LatencySummary } from './stats.js';
import { serviceTokenFor } from '../helpers/service-token.js';

const OP_TIMEOUT_MS = 5000;

interface Series {
  readonly notifyMs: LatencySummary;
  readonly responseMs?: LatencySummary;
  readonly perSecond: number;
  readonly timeouts: number;
}

/** Resolves when device `index` receives a publish whose payload contains `"seq":<seq>`; rejects after the timeout. */
function arrival(clients: readonly LeanMqttClient[], index: number, seq: number): Promise<number> {
  const client = clients[index];
  if (!client) return Promise.reject(new Error('no client'));
  const marker = `"seq":${seq}`;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('timeout')), OP_TIMEOUT_MS);
    client.onMessage = (_topic, payload) => {
      if (!payload.toString('utf8').includes(marker)) return;
      clearTimeout(timer);
      client.onMessage = () => undefined;
      resolve(performance.now());
    };
  });
}

/** One at a time: send, wait for the device (and the HTTP answer), next. Round-robin over the devices. */
async function sequential(count: number, devices: number, send: (index: number, seq: number) => Promise<number | undefined>, clients: readonly LeanMqttClient[]): Promise<Series> {
  const notify: number[] = [];
  const response: number[] = [];
  let timeouts = 0;
  const begin = performance.now();
  for (let seq = 1; seq <= count; seq++) {
    const index = (seq * 7) % devices;
    const start = performance.now();
    const arrived = arrival(clients, index, seq);
    try {
      const answered = await send(index, seq);
      if (answered !== undefined) response.push(answered - start);
      notify.push((await arrived) - start);
    } catch {
      timeouts += 1;
    }
  }
  const seconds = (performance.now() - begin) / 1000;
  return { notifyMs: summarise(notify), ...(response.length > 0 ? { responseMs: summarise(response) } : {}), perSecond: Math.round(count / seconds), timeouts };
}

/** `PATCH /twins/<id>` with a fresh iothubowner token over one keep-alive HTTPS connection; resolves at the response. */
function restPatcher(target: Target): (index: number, seq: number) => Promise<number> {
  const { started } = target;
  const token = serviceTokenFor(started.serviceConnectionString, started.hostName, 7200);
  const agent = new Agent({ keepAlive: true, maxSockets: 1, ca: started.caPem, servername: 'localhost' });
  return (index, seq) =>
    new Promise((resolve, reject) => {
      const body = JSON.stringify({ properties: { desired: { setpoint: 21, seq } } });
      const req = request(
        {
          agent, host: '127.0.0.1', port: started.httpsPort ?? 0, method: 'PATCH', path: `/twins/${target.prefix}${index}?api-version=2021-04-12`,
          headers: { host: started.hostName, authorization: token, 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body), 'if-match': '*' },
        },
        (res) => {
          res.resume();
          res.on('end', () => (res.statusCode === 200 ? resolve(performance.now()) : reject(new Error(`HTTP ${res.statusCode}`))));
        },
      );
      req.on('error', reject);
      req.end(body);
    });
}

const GOAL_P50_MS = 3;

/** Runs REST → device and service layer → device on the hub at each stored size, and publish → subscriber on raw Aedes. */
export async function benchDesiredNotify(context: BenchContext, storedTwins: readonly number[], devices: number, patches: number): Promise<{ rows: BenchRow[]; data: object }> {
  const hubFilters = () => [{ topic: '$iothub/twin/res/#', qos: 0 as const }, { topic: '$iothub/twin/PATCH/properties/desired/#', qos: 0 as const }];
  const hubRun = (twins: number, connected: number) => context.withServer({ kind: 'hub', fsync: true, devices: connected, https: true, storedTwins: twins }, async (target: Target, server: ServerProcess) => {
    const { clients } = await connectFleet(target, connected, { concurrency: 50, filters: hubFilters });
    const patch = restPatcher(target);
    await sequential(Math.min(100, patches), connected, patch, clients);
    const rest = await sequential(patches, connected, patch, clients);
    // The second line: the same change made in-process through the twin service (one IPC hop, measured below).
    const layer = await sequential(patches, connected, async (index, seq) => {
      await server.request({ cmd: 'update-desired', deviceId: `${target.prefix}${index}`, desired: { setpoint: 21, seq } });
      return undefined;
    }, clients);
    const ipc: number[] = [];
    for (let i = 0; i < 200; i++) {
      const start = performance.now();
      await server.request({ cmd: 'cpu' });
      ipc.push(performance.now() - start);
    }
    await closeFleet(clients);
    return { rest, layer, ipcRoundTripMs: summarise(ipc) };
  });
  const rawRun = (connected: number) => context.withServer({ kind: 'raw' }, async (target: Target) => {
    const { clients } = await connectFleet(target, connected + 1, { concurrency: 50, filters: (index) => [{ topic: `bench/${target.prefix}${index}/desired/#`, qos: 0 }] });
    const service = clients[connected];
    const publish = async (index: number, seq: number) => {
      service?.publish(`bench/${target.prefix}${index}/desired/?$version=${seq}`, JSON.stringify({ setpoint: 21, seq, $version: seq }), 0);
      return undefined;
    };
    await sequential(Math.min(100, patches), connected, publish, clients);
    const series = await sequential(patches, connected, publish, clients);
    await closeFleet(clients);
    return series;
  });
  const rows: BenchRow[] = [];
  const data: object[] = [];
  for (const twins of storedTwins) {
    const connected = Math.min(devices, twins);
    const raw = await rawRun(connected);
    const hub = await hubRun(twins, connected);
    data.push({ twins, devices: connected, patches, rest: hub.rest, serviceLayer: hub.layer, ipcRoundTripMs: hub.ipcRoundTripMs, raw });
    const label = `${twins} twins, ${connected} devices connected`;
    const lines = [['REST PATCH → device', hub.rest], ['service layer → device', hub.layer]] as const;
    for (const [name, series] of lines) {
      for (const metric of ['p50', 'p99'] as const) {
        const goal = name.startsWith('REST') && metric === 'p50' ? { goal: `≤ ${GOAL_P50_MS} ms`, met: series.notifyMs.p50 <= GOAL_P50_MS } : {};
        rows.push({ bench: '3 desired notify', case: `${label}, ${name}`, metric, value: series.notifyMs[metric], unit: 'ms', baselineName: 'raw Aedes publish → sub', baseline: raw.notifyMs[metric], ratio: ratio(series.notifyMs[metric], raw.notifyMs[metric]), ...goal });
      }
    }
  }
  return { rows, data: { sizes: data } };
}
