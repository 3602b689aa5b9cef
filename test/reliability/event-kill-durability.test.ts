import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import mqtt, { type MqttClient } from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';

import { createSasToken } from '../../emulator/auth/sas-token.js';
import { createEmulator } from '../../emulator/index.js';
import { startHubProcess, type HubProcess } from '../helpers/hub-process.js';

/**
 * Telemetry on the built-in Event Hub-compatible endpoint is acknowledged only once durable (PUBACK after the event
 * log's fdatasync): every message a device saw acknowledged is in the endpoint after a SIGKILL mid-stream, once, in
 * the order the device sent it.
 */
describe('acknowledged telemetry survives kill -9', () => {
  let running: HubProcess | undefined;
  const dirs: string[] = [];
  afterEach(async () => {
    await running?.kill();
    for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
  });

  it('keeps every acknowledged message of 4 devices publishing QoS 1 when the hub is killed mid-stream', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'event-kill-'));
    dirs.push(dataDir);
    const ids = ['ev-0', 'ev-1', 'ev-2', 'ev-3'];
    running = await startHubProcess(['--data-dir', dataDir, '--mqtts-port', '0', '--https-port', 'off', '--https-fallback', 'off', '--amqps-port', 'off', ...ids.flatMap((id) => ['--device', id])]);
    const { info } = running;
    const { readFile } = await import('node:fs/promises');
    const ca = await readFile(info.caCertPath, 'utf8');
    const acked = new Map<string, string[]>();
    const clients: MqttClient[] = [];
    let stop = false;
    let killed: () => void = () => undefined;
    // A publish in flight at the kill never gets its PUBACK (nor a callback from MQTT.js): it is simply not acked.
    const afterKill = new Promise<'killed'>((resolve) => (killed = () => resolve('killed')));
    const publishers = ids.map(async (deviceId) => {
      const key = /SharedAccessKey=([^;]+)/.exec(info.devices[deviceId] ?? '')?.[1] ?? '';
      const client = mqtt.connect({
        host: '127.0.0.1', port: info.ports.mqtts, protocol: 'mqtts', protocolVersion: 4, ca, servername: 'localhost', clientId: deviceId,
        username: `${info.hostName}/${deviceId}/?api-version=2021-04-12`,
        password: createSasToken({ resourceUri: `${info.hostName}/devices/${deviceId}`, base64Key: key, expiresAtSeconds: Math.floor(Date.now() / 1000) + 600 }),
        clean: false, reconnectPeriod: 0,
      });
      clients.push(client);
      client.on('error', () => undefined);
      await new Promise<void>((resolve) => client.once('connect', () => resolve()));
      const mine: string[] = [];
      acked.set(deviceId, mine);
      for (let n = 0; !stop; n += 1) {
        const messageId = `${deviceId}-${n}`;
        try {
          const outcome = await Promise.race([client.publishAsync(`devices/${deviceId}/messages/events/%24.mid=${messageId}`, JSON.stringify({ n }), { qos: 1 }), afterKill]);
          if (outcome === 'killed') return;
          mine.push(messageId);
        } catch {
          return;
        }
      }
    });
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await running.kill();
    running = undefined;
    stop = true;
    killed();
    for (const client of clients) client.end(true);
    await Promise.all(publishers);
    const total = [...acked.values()].reduce((sum, list) => sum + list.length, 0);
    expect(total).toBeGreaterThan(20);

    const hub = createEmulator({ dataDir, ports: { mqtts: 0, https: null, amqps: null }, fsync: false });
    await hub.start();
    try {
      const stored = new Map<string, string[]>();
      for (const partition of hub.eventHub.info.partitionIds) {
        for (const event of hub.eventHub.events(Number(partition))) {
          const deviceId = event.annotations['iothub-connection-device-id'] ?? '';
          stored.set(deviceId, [...(stored.get(deviceId) ?? []), event.properties.messageId ?? '']);
        }
      }
      for (const [deviceId, messages] of acked) {
        const kept = stored.get(deviceId) ?? [];
        // Every acknowledged message is there, once, in order; at most the one in flight at the kill follows them.
        expect(kept.slice(0, messages.length)).toEqual(messages);
        expect(kept.length - messages.length).toBeLessThanOrEqual(1);
      }
    } finally {
      await hub.stop();
    }
  });
});
