import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

import deviceSdk from 'azure-iot-device';
import mqttTransport from 'azure-iot-device-mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { ClusterStatusDto, EmulatorStatusDto } from '../../main/contract/index.js';
import { callStudio } from '../helpers/browser-mode.js';
import type { DeviceClient } from '../helpers/device-sdk.js';
import { startHubProcess, type HubProcess } from '../helpers/hub-process.js';
import { startRedisServer, type RedisServer } from '../helpers/redis-server.js';
import { serviceClientsOnPort } from '../helpers/service-sdk-on-port.js';

const BROWSER = fileURLToPath(new URL('../../main/browser.ts', import.meta.url));

interface Studio {
  readonly child: ChildProcess;
  readonly url: string;
  readonly hub: EmulatorStatusDto;
  readonly clusterNode?: string;
}

/**
 * The headless studio (browser mode, as `npm start` runs it without Electron) started with `--store redis://…
 * --cluster` is a node of a hub cluster; a second node runs through the hub CLI. The studio's `emulator.cluster`
 * channel lists both with their device counts, and each node's service API shows the connection state of devices
 * connected to the other (docs/cluster.md). Real redis-server, real processes, the real device and service SDKs.
 */
describe('the studio attached to a hub cluster', () => {
  let redis: RedisServer;
  let dataDir: string;
  let nodeA: HubProcess;
  let studio: Studio;
  let caText = '';
  const devices: DeviceClient[] = [];
  const nodeArgs = (id: string, extra: string[] = []) => [
    '--data-dir', dataDir, '--store', redis.url, '--cluster', '--node-id', id, '--host-name', 'localhost',
    '--mqtts-port', '0', '--https-port', '0', '--https-fallback', 'off', '--amqps-port', 'off', ...extra,
  ];

  beforeAll(async () => {
    redis = await startRedisServer({ appendfsync: 'everysec' });
    dataDir = await mkdtemp(join(tmpdir(), 'cluster-studio-'));
    nodeA = await startHubProcess(nodeArgs('a', ['--device', 'd1', '--device', 'd2', '--device', 'd3']));
    caText = await readFile(nodeA.info.caCertPath, 'utf8');
    studio = await startStudio(['--data-dir', dataDir, '--store', redis.url, '--cluster', '--node-id', 'studio', '--mqtts-port', '0', '--https-port', '0', '--amqps-port', 'off']);
  }, 90_000);

  afterAll(async () => {
    await Promise.all(devices.map((device) => device.close().catch(() => undefined)));
    if (studio) await stopChild(studio.child);
    await nodeA?.kill();
    await redis?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  const openOn = async (deviceId: string, mqttsPort: number): Promise<DeviceClient> => {
    const connectionString = (nodeA.info.devices[deviceId] ?? '').replace(/GatewayHostName=[^;]+/, `GatewayHostName=localhost:${mqttsPort}`);
    const device = deviceSdk.Client.fromConnectionString(connectionString, mqttTransport.Mqtt);
    await device.setOptions({ ca: caText });
    await device.open();
    devices.push(device);
    return device;
  };

  it('lists both nodes with their device counts and liveness on the studio channel', async () => {
    expect(studio.hub.status).toBe('Running');
    expect(studio.clusterNode).toBe('studio');
    const studioMqtts = studio.hub.info?.ports.mqtts ?? 0;
    await openOn('d1', nodeA.info.ports.mqtts);
    await openOn('d2', nodeA.info.ports.mqtts);
    await openOn('d3', studioMqtts);
    const cluster = await untilCluster((status) => counts(status) === 'a:2 studio:1');
    expect(cluster?.nodeId).toBe('studio');
    const [a, self] = cluster?.nodes ?? [];
    expect(a).toMatchObject({ nodeId: 'a', live: true, self: false, hostName: 'localhost', ports: { mqtts: nodeA.info.ports.mqtts, https: nodeA.info.ports.https, amqps: null } });
    expect(self).toMatchObject({ nodeId: 'studio', live: true, self: true, ports: { mqtts: studioMqtts } });
    expect(Date.parse(self?.heartbeatAt ?? '')).toBeGreaterThan(Date.now() - 30_000);
    expect(cluster?.nodes.filter((node) => node.leader)).toHaveLength(1);

    // A device leaves node a: the count follows.
    await devices.shift()?.close();
    await untilCluster((status) => counts(status) === 'a:1 studio:1');
  }, 60_000);

  it('shows a device connected to node a as Connected through the studio node, and Disconnected once it leaves', async () => {
    const httpsPort = studio.hub.info?.ports.https ?? 0;
    const throughStudio = serviceClientsOnPort(nodeA.info.serviceConnectionString, httpsPort, caText).registry;
    const throughA = serviceClientsOnPort(nodeA.info.serviceConnectionString, nodeA.info.ports.https ?? 0, caText).registry;
    // d2 is still connected to node a (the first test), d1 left it. (A node counts another as live from its own
    // next heartbeat on, so the first answers may take a beat.)
    await untilState(throughStudio, 'd2', 'Connected');
    await untilState(throughStudio, 'd1', 'Disconnected');
    // And the other way round: d3 is on the studio node.
    await untilState(throughA, 'd3', 'Connected');
    // Twins and queries (the views) say the same.
    expect(stateOf((await throughStudio.getTwin('d2')).responseBody)).toBe('Connected');

    // Activity on node a reaches the studio node with a's next heartbeat (every 2 s).
    const before = (await throughStudio.get('d2')).responseBody.lastActivityTime;
    const d2 = devices.find((device) => device !== undefined) as DeviceClient;
    await d2.sendEvent(new deviceSdk.Message(JSON.stringify({ t: 1 })));
    const deadline = Date.now() + 15_000;
    let after = before;
    while (after === before && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      after = (await throughStudio.get('d2')).responseBody.lastActivityTime;
    }
    expect(Date.parse(String(after))).toBeGreaterThan(Date.parse(String(before)));

    // d2 leaves node a: the studio node's service API says Disconnected, with the time it changed.
    const leftAt = Date.now();
    await d2.close();
    devices.splice(devices.indexOf(d2), 1);
    let device = (await throughStudio.get('d2')).responseBody;
    for (let tries = 0; stateOf(device) !== 'Disconnected' && tries < 100; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      device = (await throughStudio.get('d2')).responseBody;
    }
    expect(stateOf(device)).toBe('Disconnected');
    expect(Date.parse(String(device.connectionStateUpdatedTime))).toBeGreaterThanOrEqual(leftAt - 2000);
    // The query engine's view on the studio node follows as well.
    const rows = (await throughStudio.createQuery("SELECT deviceId, connectionState FROM devices WHERE deviceId IN ['d2', 'd3']").nextAsTwin()).result;
    expect(Object.fromEntries(rows.map((row) => [row.deviceId, stateOf(row)]))).toEqual({ d2: 'Disconnected', d3: 'Connected' });
  }, 60_000);

  it('shows the devices of a killed node as Disconnected, and not again as Connected when the node restarts', async () => {
    const httpsPort = studio.hub.info?.ports.https ?? 0;
    const throughStudio = serviceClientsOnPort(nodeA.info.serviceConnectionString, httpsPort, caText).registry;
    const d1 = await openOn('d1', nodeA.info.ports.mqtts);
    await untilCluster((status) => counts(status) === 'a:1 studio:1');
    expect(stateOf((await throughStudio.get('d1')).responseBody)).toBe('Connected');
    // SIGKILL: node a cannot release its claim; the studio node sees it go silent (3 heartbeats).
    await nodeA.kill();
    devices.splice(devices.indexOf(d1), 1);
    void d1.close().catch(() => undefined);
    await untilCluster((status) => counts(status) === 'studio:1');
    await untilState(throughStudio, 'd1', 'Disconnected');
    // Node a comes back under the same id: its old claim of d1 is dropped, so d1 stays Disconnected once a beats.
    nodeA = await startHubProcess(nodeArgs('a'));
    await untilCluster((status) => counts(status) === 'a:0 studio:1');
    await new Promise((resolve) => setTimeout(resolve, 2500));
    expect(stateOf((await throughStudio.get('d1')).responseBody)).toBe('Disconnected');
  }, 90_000);

  async function untilCluster(done: (status: ClusterStatusDto) => boolean): Promise<ClusterStatusDto> {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const status = await callStudio(studio, 'emulator.cluster', {});
      if (done(status)) return status;
      if (Date.now() > deadline) throw new Error(`cluster status not as expected: ${JSON.stringify(status)}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
});

/** Polls a device's connectionState through a node's service API until it is `state`. */
async function untilState(registry: ReturnType<typeof serviceClientsOnPort>['registry'], deviceId: string, state: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (stateOf((await registry.get(deviceId)).responseBody) !== state) {
    if (Date.now() > deadline) throw new Error(`${deviceId} is not ${state} within 20 s`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** `connectionState` of device JSON, a twin or a query row, as sent (the SDK's types do not all declare it). */
function stateOf(body: unknown): string | undefined {
  return (body as { connectionState?: string }).connectionState;
}

function counts(status: ClusterStatusDto): string {
  return (status?.nodes ?? []).filter((node) => node.live).map((node) => `${node.nodeId}:${node.devices}`).join(' ');
}

/** The studio in browser mode from source (tsx), printing its JSON ready line. */
function startStudio(args: readonly string[]): Promise<Studio> {
  const child = spawn(process.execPath, ['--import', 'tsx', BROWSER, '--json', '--port', '0', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stderr?.on('data', (chunk: Buffer) => (log += chunk.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the studio did not start within 30 s:\n${log}`)), 30_000);
    child.once('exit', (code) => reject(new Error(`the studio exited with ${code}:\n${log}`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (!line.startsWith('{')) return;
      const parsed = JSON.parse(line) as { event: string; url: string; hub: EmulatorStatusDto; clusterNode?: string };
      if (parsed.event !== 'ready') return;
      clearTimeout(timer);
      resolve({ child, url: parsed.url, hub: parsed.hub, ...(parsed.clusterNode === undefined ? {} : { clusterNode: parsed.clusterNode }) });
    });
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
