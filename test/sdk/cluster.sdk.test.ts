import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import deviceSdk from 'azure-iot-device';
import mqttTransport from 'azure-iot-device-mqtt';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createSasToken } from '../../emulator/auth/sas-token.js';
import { fetchClusterStatus } from '../../emulator/index.js';
import { nextDesired, updateReported, type DeviceClient, type DeviceTwin } from '../helpers/device-sdk.js';
import { startHubProcess, type HubProcess } from '../helpers/hub-process.js';
import { startRedisServer, type RedisServer } from '../helpers/redis-server.js';
import { serviceClientsOnPort } from '../helpers/service-sdk-on-port.js';
import { startTcpBalancer, type TcpBalancer } from '../helpers/tcp-balancer.js';
import { eventually } from '../helpers/wait-for.js';

const run = promisify(execFile);

// Three hub nodes (child processes through the real CLI) on one Redis, a TCP balancer in front of their MQTT ports
// as in docs/cluster.md, the real device and service SDKs.
describe('a three-node hub cluster on Redis', () => {
  let redis: RedisServer;
  let dataDir: string;
  let balancer: TcpBalancer;
  const nodes: Record<string, HubProcess> = {};
  let device: DeviceClient | undefined;

  const nodeArgs = (id: string, extra: string[] = []) => [
    '--data-dir', dataDir, '--store', redis.url, '--cluster', '--node-id', id, '--host-name', 'localhost',
    '--mqtts-port', '0', '--https-port', '0', '--https-fallback', 'off', '--amqps-port', 'off', ...extra,
  ];
  const rest = (id: string) => {
    const node = nodes[id] as HubProcess;
    return serviceClientsOnPort(node.info.serviceConnectionString, node.info.ports.https ?? 0, caText);
  };
  let caText = '';
  let d1String = '';

  beforeAll(async () => {
    redis = await startRedisServer({ appendfsync: 'always' });
    dataDir = await mkdtemp(join(tmpdir(), 'cluster-'));
    // The first node makes the certificates, policies and the device; the others join it.
    nodes.a = await startHubProcess(nodeArgs('a', ['--device', 'd1']));
    [nodes.b, nodes.c] = await Promise.all([startHubProcess(nodeArgs('b')), startHubProcess(nodeArgs('c'))]);
    caText = await readFile(nodes.a.info.caCertPath, 'utf8');
    d1String = nodes.a.info.devices.d1 ?? '';
    // The balancer prefers a, then b, then c: the device lands on a, and on b once a is gone.
    balancer = await startTcpBalancer(() => ['a', 'b', 'c'].map((id) => nodes[id]?.info.ports.mqtts ?? 0));
  }, 90_000);

  afterAll(async () => {
    await device?.close().catch(() => undefined);
    await balancer?.close();
    await Promise.all(Object.values(nodes).map((node) => node.kill()));
    await redis?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('reaches a device on node a from nodes b and c, and keeps its session and acknowledged writes when a is killed', async () => {
    const nodeA = nodes.a as HubProcess;
    expect(nodes.b?.info.serviceConnectionString).toBe(nodeA.info.serviceConnectionString);
    const deviceString = d1String.replace(/GatewayHostName=[^;]+/, `GatewayHostName=localhost:${balancer.port}`);
    device = deviceSdk.Client.fromConnectionString(deviceString, mqttTransport.Mqtt);
    await device.setOptions({ ca: caText });
    await device.open();
    expect(balancer.served).toEqual([nodeA.info.ports.mqtts]);
    const twin: DeviceTwin = await device.getTwin();
    device.onDeviceMethod('reboot', (request, response) => {
      response.send(200, { rebooted: true, asked: request.payload as unknown }, () => undefined);
    });
    await waitForNodes(3, (nodes) => nodes.find((node) => node.nodeId === 'a')?.devices === 1);
    // A desired PATCH through node b's REST API reaches the device on node a.
    const fromB = rest('b');
    const desiredSeen = nextDesired(twin, 2, 15_000);
    await fromB.registry.updateTwin('d1', { properties: { desired: { fan: true } } }, '*');
    expect(await desiredSeen).toMatchObject({ fan: true, $version: 2 });
    // A direct method through node c runs on the device on node a and its answer comes back through c.
    const fromC = rest('c');
    const method = await fromC.client.invokeDeviceMethod('d1', { methodName: 'reboot', payload: { delay: 1 }, responseTimeoutInSeconds: 15 });
    expect(method.result).toEqual({ status: 200, payload: { rebooted: true, asked: { delay: 1 } } });
    // Reported writes acknowledged by node a, then a is killed (SIGKILL) mid-stream.
    let acked = 0;
    let writing = true;
    const writer = (async () => {
      for (let n = 1; writing; n++) {
        await updateReported(twin, { n });
        if (writing) acked = n;
      }
    })().catch(() => undefined);
    await eventually(() => acked >= 20, 20_000, '20 acknowledged reported patches');
    await nodeA.kill();
    writing = false;
    const lastAcked = acked;
    delete nodes.a;
    // The SDK reconnects through the balancer, which now reaches a surviving node (b first; c when b did not take the
    // connection at that moment); the session (its twin subscriptions, which the SDK does not renew after a
    // reconnect) comes from Redis, so a desired patch through the other node reaches it there.
    await eventually(() => balancer.served.length >= 2, 30_000, 'the device reconnected');
    const landed = balancer.served.at(-1) === nodes.b?.info.ports.mqtts ? 'b' : 'c';
    expect(balancer.served.at(-1)).toBe(nodes[landed]?.info.ports.mqtts);
    // The patch in flight at the kill may never be answered (the SDK does not resend it); it is not awaited.
    void writer;
    await waitForNodes(2, (nodes) => nodes.find((node) => node.nodeId === landed)?.devices === 1);
    const afterMove = nextDesired(twin, 3, 15_000);
    await rest(landed === 'b' ? 'c' : 'b').registry.updateTwin('d1', { properties: { desired: { fan: false } } }, '*');
    expect(await afterMove).toMatchObject({ fan: false, $version: 3 });

    // Nothing node a acknowledged is lost: every node's twin has at least the last acknowledged patch.
    for (const id of ['b', 'c']) {
      const { responseBody } = await rest(id).registry.getTwin('d1');
      expect((responseBody.properties.reported as { n?: number }).n, id).toBeGreaterThanOrEqual(lastAcked);
    }
    // And the method path follows the device to its new node.
    const again = await fromC.client.invokeDeviceMethod('d1', { methodName: 'reboot', payload: null, responseTimeoutInSeconds: 15 });
    expect(again.result).toEqual({ status: 200, payload: { rebooted: true, asked: null } });
  }, 120_000);

  it('closes the older connection of a device when a newer one connects to another node', async () => {
    await device?.close();
    device = undefined;
    const nodeB = nodes.b as HubProcess;
    const nodeC = nodes.c as HubProcess;
    // The older connection: MQTT.js without reconnects, straight to node b.
    const key = /SharedAccessKey=([^;]+)/.exec(d1String)?.[1] ?? '';
    const older = await mqtt.connectAsync({
      host: '127.0.0.1', port: nodeB.info.ports.mqtts, protocol: 'mqtts', protocolVersion: 4, ca: caText, servername: 'localhost',
      clientId: 'd1', username: 'localhost/d1/?api-version=2021-04-12', clean: true, reconnectPeriod: 0, connectTimeout: 10_000,
      password: createSasToken({ resourceUri: 'localhost/devices/d1', base64Key: key, expiresAtSeconds: Math.floor(Date.now() / 1000) + 3600 }),
    });
    const closed = new Promise<void>((resolve) => older.once('close', () => resolve()));
    await waitForNodes(2, (nodes) => nodes.find((node) => node.nodeId === 'b')?.devices === 1);
    // The newer connection: the device SDK, straight to node c.
    const newer = deviceSdk.Client.fromConnectionString(d1String.replace(/GatewayHostName=[^;]+/, `GatewayHostName=localhost:${nodeC.info.ports.mqtts}`), mqttTransport.Mqtt);
    await newer.setOptions({ ca: caText });
    await newer.open();
    try {
      await closed;
      await waitForNodes(2, (nodes) => nodes.find((node) => node.nodeId === 'c')?.devices === 1 && nodes.find((node) => node.nodeId === 'b')?.devices === 0);
      // The CLI's view of the same: `npm run hub -- --store … --cluster-status --json`.
      const { stdout } = await run(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('../../emulator/cli/hub.ts', import.meta.url)), '--store', redis.url, '--cluster-status', '--json']);
      const printed = JSON.parse(stdout) as { nodes: { nodeId: string; live: boolean; devices: number }[] };
      expect(printed.nodes.filter((node) => node.live).map((node) => [node.nodeId, node.devices])).toEqual([['b', 0], ['c', 1]]);
    } finally {
      older.end(true);
      await newer.close();
    }
  }, 60_000);

  async function waitForNodes(live: number, also: (nodes: Awaited<ReturnType<typeof fetchClusterStatus>>) => boolean): Promise<void> {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const status = await fetchClusterStatus(redis.url, 'localhost');
      if (status.filter((node) => node.live).length === live && also(status)) return;
      if (Date.now() > deadline) throw new Error(`cluster status not as expected: ${JSON.stringify(status)}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
});
