import { readFile } from 'node:fs/promises';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect as connectTcp, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as connectTls } from 'node:tls';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { parseConnectionString } from '../../emulator/auth/connection-string.js';
import { createSasToken } from '../../emulator/auth/sas-token.js';
import { startHubProcess, type HubProcess } from '../helpers/hub-process.js';
import { LeanMqttClient } from '../helpers/lean-mqtt-client.js';
import { childRest } from './support/child-rest.js';

/**
 * Unauthenticated socket exhaustion (issue 11, item 2). The real CLI hub runs under a 1,024 file descriptor limit
 * (`prlimit`), and 1,100 sockets that never say anything are opened against 8883, 443 and 5671 — more than the hub
 * has descriptors. The open timeout is set long (60 s) so that only the pending-connection cap can save the hub:
 * a device connected before the flood, a device connecting during it and a REST client must all still be served.
 * Before the cap, accept failed with EMFILE and every new client was locked out until the sockets went away.
 */
describe('a flood of silent sockets', () => {
  let hub: HubProcess;
  let dataDir: string;
  let ca: string;
  const flood: Socket[] = [];

  const token = (deviceId: string) =>
    createSasToken({
      resourceUri: `${hub.info.hostName}/devices/${deviceId}`,
      base64Key: parseConnectionString(hub.info.devices[deviceId] ?? '').SharedAccessKey ?? '',
      expiresAtSeconds: Math.floor(Date.now() / 1000) + 3600,
    });
  const device = (deviceId: string) =>
    LeanMqttClient.connect({
      host: '127.0.0.1',
      port: hub.info.ports.mqtts,
      ca,
      clientId: deviceId,
      username: `${hub.info.hostName}/${deviceId}/?api-version=2021-04-12`,
      password: token(deviceId),
      clean: true,
      timeoutMs: 5_000,
    });
  const twinGet = async (client: LeanMqttClient, rid: string): Promise<string> => {
    const answer = new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no twin response for ${rid}`)), 5_000);
      client.onMessage = (topic) => {
        if (!topic.includes(`$rid=${rid}`)) return;
        clearTimeout(timer);
        resolve(topic);
      };
    });
    client.publish(`$iothub/twin/GET/?$rid=${rid}`, '', 0);
    return answer;
  };

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'twin-flood-'));
    hub = await startHubProcess(
      ['--data-dir', dataDir, '--no-fsync', '--bind', '127.0.0.1', '--mqtts-port', '0', '--https-port', '0', '--https-fallback', 'off', '--amqps-port', '0', '--device', 'early', '--device', 'late', '--limit', 'openTimeoutMs=60000'],
      { fdLimit: 1024 },
    );
    ca = await readFile(hub.info.caCertPath, 'utf8');
  }, 30_000);
  afterAll(async () => {
    for (const socket of flood) socket.destroy();
    await hub.kill();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('keeps serving devices and REST clients while 1,100 silent sockets are open under a 1,024-descriptor limit', async () => {
    const early = await device('early');
    expect(await early.subscribe([{ topic: '$iothub/twin/res/#', qos: 0 }])).toEqual([0]);

    const { mqtts, https, amqps } = hub.info.ports;
    const ports = [mqtts, https ?? mqtts, amqps ?? mqtts];
    await Promise.all(
      Array.from({ length: 1_100 }, (_, index) => {
        const socket = connectTcp({ host: '127.0.0.1', port: ports[index % ports.length] ?? mqtts });
        socket.on('error', () => undefined);
        flood.push(socket);
        return new Promise<void>((resolve) => {
          socket.once('connect', () => resolve());
          socket.once('close', () => resolve());
        });
      }),
    );

    expect(await twinGet(early, 'during-1')).toMatch(/^\$iothub\/twin\/res\/200\//);
    const late = await device('late');
    await late.subscribe([{ topic: '$iothub/twin/res/#', qos: 0 }]);
    expect(await twinGet(late, 'during-2')).toMatch(/^\$iothub\/twin\/res\/200\//);
    const rest = childRest(hub.info);
    expect((await rest({ method: 'GET', path: '/twins/late?api-version=2021-04-12' })).status).toBe(200);
    expect(hub.child.exitCode).toBeNull();
    late.destroy();
    early.destroy();
  }, 30_000);
});

/**
 * Every listener closes a client that does not finish opening in time (item 2): a TCP connection that never starts
 * TLS, a TLS connection that never sends CONNECT / an AMQP header / an HTTP request. IoT Hub's numbers are not
 * documented; the defaults are in emulator/transports/wire-limits.ts, shortened here to 1 s.
 */
describe('open timeouts', () => {
  let hub: HubProcess;
  let dataDir: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'twin-open-'));
    hub = await startHubProcess(['--data-dir', dataDir, '--no-fsync', '--bind', '127.0.0.1', '--mqtts-port', '0', '--https-port', '0', '--https-fallback', 'off', '--amqps-port', '0', '--limit', 'openTimeoutMs=1000']);
  }, 30_000);
  afterAll(async () => {
    await hub.kill();
    await rm(dataDir, { recursive: true, force: true });
  });

  const closesWithin = (socket: Socket, ms: number) =>
    new Promise<number>((resolve, reject) => {
      const started = Date.now();
      socket.on('error', () => undefined);
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error(`still open after ${ms} ms`));
      }, ms);
      socket.once('close', () => {
        clearTimeout(timer);
        resolve(Date.now() - started);
      });
    });
  const tlsSilent = (port: number) => {
    const socket = connectTls({ host: '127.0.0.1', port, rejectUnauthorized: false });
    return socket;
  };

  it.each(['mqtts', 'https', 'amqps'] as const)('closes a TCP connection that never starts TLS on %s', async (name) => {
    const port = hub.info.ports[name] ?? 0;
    await expect(closesWithin(connectTcp({ host: '127.0.0.1', port }), 4_000)).resolves.toBeLessThan(4_000);
  });

  it.each(['mqtts', 'https', 'amqps'] as const)('closes a TLS connection that never sends its first packet or request on %s', async (name) => {
    const socket = tlsSilent(hub.info.ports[name] ?? 0);
    await new Promise<void>((resolve, reject) => {
      socket.once('secureConnect', () => resolve());
      socket.once('error', reject);
    });
    await expect(closesWithin(socket, 4_000)).resolves.toBeLessThan(4_000);
  });
});
