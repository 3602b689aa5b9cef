import { readFile } from 'node:fs/promises';
import { connect as connectTls, type TLSSocket } from 'node:tls';

import mqttPacket from 'mqtt-packet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { Logger } from '../../emulator/index.js';
import { closedByServer, connectRaw, deviceToken, twinRequest } from '../helpers/raw-mqtt.js';
import { startTestHub, type TestHub } from '../helpers/start-hub.js';
import { eventually } from '../helpers/wait-for.js';

/**
 * What one device can cost the hub (issue 11, items 3 and 4), over a real TLS socket:
 * - a device that sends twin GETs and never reads its replies: the hub closes it once its outbox passes
 *   `maxOutgoingBytes` instead of buffering every reply (before: ~27 KB per GET, hundreds of MB);
 * - a CONNECT announcing 200 MB is refused at its fixed header, before it is buffered (before: read in full);
 * each time a normal device is still served.
 */
describe('bounded memory per connection', () => {
  let hub: TestHub;
  let ca: string;
  const warnings: string[] = [];
  const logger: Logger = { error: () => undefined, warn: (message) => warnings.push(message), info: () => undefined, debug: () => undefined };

  const rawTls = async (): Promise<TLSSocket> => {
    const socket = connectTls({ host: '127.0.0.1', port: hub.hub.info.ports.mqtts, ca, servername: 'localhost' });
    socket.on('error', () => undefined);
    await new Promise<void>((resolve, reject) => {
      socket.once('secureConnect', () => resolve());
      socket.once('error', reject);
    });
    return socket;
  };
  const normalDeviceIsServed = async () => {
    const client = await connectRaw(hub.hub, 'normal');
    await client.subscribeAsync('$iothub/twin/res/#');
    const response = await twinRequest(client, '$iothub/twin/GET/?$rid=ok', '', 'ok');
    expect(response.topic).toMatch(/^\$iothub\/twin\/res\/200\//);
    await client.endAsync();
  };

  beforeAll(async () => {
    hub = await startTestHub({ logger });
    ca = await readFile(hub.hub.info.caCertPath, 'utf8');
    for (const deviceId of ['reader', 'normal']) await hub.hub.registry.create({ deviceId });
    // A 30 KB desired section: each twin GET answer is about 30 KB.
    const desired: Record<string, string> = {};
    for (let index = 0; index < 30; index += 1) desired[`k${index}`] = 'x'.repeat(1000);
    await hub.hub.twins.updateTwin('reader', { properties: { desired } });
  });
  afterAll(async () => {
    await hub.dispose();
  });

  it('closes a device that requests twins and never reads, and the hub does not grow', async () => {
    global.gc?.();
    const before = process.memoryUsage();
    const socket = await rawTls();
    const connect = mqttPacket.generate({
      cmd: 'connect',
      protocolId: 'MQTT',
      protocolVersion: 4,
      clientId: 'reader',
      clean: true,
      keepalive: 180,
      username: `${hub.hub.info.hostName}/reader/?api-version=2021-04-12`,
      password: Buffer.from(deviceToken(hub.hub, 'reader', hub.hub.registry.get('reader').authentication.symmetricKey.primaryKey)),
    });
    const subscribe = mqttPacket.generate({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: '$iothub/twin/res/#', qos: 0 }] });
    socket.write(Buffer.concat([connect, subscribe]));
    await new Promise((resolve) => setTimeout(resolve, 300));
    socket.pause(); // never read again
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    let peak = 0;
    for (let batch = 0; batch < 40 && !socket.destroyed; batch += 1) {
      const gets = Array.from({ length: 100 }, (_, index) =>
        mqttPacket.generate({ cmd: 'publish', topic: `$iothub/twin/GET/?$rid=${batch}-${index}`, payload: Buffer.alloc(0), qos: 0, retain: false, dup: false }),
      );
      socket.write(Buffer.concat(gets));
      await new Promise((resolve) => setTimeout(resolve, 25));
      const now = process.memoryUsage();
      peak = Math.max(peak, now.heapUsed + now.external - before.heapUsed - before.external);
    }
    // 4,000 answers of ~30 KB would be ~120 MB; the hub stops at its 4 MiB outbox.
    await eventually(() => warnings.some((line) => line.includes('does not read')), 10_000, 'the slow consumer closed');
    socket.destroy();
    await closed;
    expect(peak).toBeLessThan(60 * 1024 * 1024);
    await normalDeviceIsServed();
  }, 60_000);

  it('refuses a CONNECT announcing 200 MB at its header, before reading it', async () => {
    const socket = await rawTls();
    const closed = new Promise<number>((resolve) => {
      const started = Date.now();
      socket.once('close', () => resolve(Date.now() - started));
    });
    // CONNECT, remaining length 200 MiB (varint), then the first megabyte of it.
    let length = 200 * 1024 * 1024;
    const header = [0x10];
    do {
      let byte = length % 128;
      length = Math.floor(length / 128);
      if (length > 0) byte |= 0x80;
      header.push(byte);
    } while (length > 0);
    socket.write(Buffer.from(header));
    for (let index = 0; index < 16 && !socket.destroyed; index += 1) socket.write(Buffer.alloc(64 * 1024, 1));
    const elapsed = await Promise.race([closed, new Promise<number>((resolve) => setTimeout(() => resolve(Infinity), 3_000))]);
    socket.destroy();
    expect(elapsed).toBeLessThan(3_000);
    expect(warnings.some((line) => /CONNECT\) of 209715200 bytes exceeds/.test(line))).toBe(true);
    await normalDeviceIsServed();
  });

  it('closes an authenticated device whose packet exceeds the maximum packet size', async () => {
    const client = await connectRaw(hub.hub, 'normal');
    const closed = closedByServer(client);
    client.publish('devices/normal/messages/events/', Buffer.alloc(600 * 1024, 7), { qos: 0 });
    await closed;
    expect(warnings.some((line) => /packet of \d+ bytes exceeds 524288 bytes/.test(line))).toBe(true);
    await normalDeviceIsServed();
  });

  it('keeps a 256 KB device-to-cloud message and closes a device that sends one byte more, keeping nothing of it', async () => {
    const client = await connectRaw(hub.hub, 'normal');
    await client.publishAsync('devices/normal/messages/events/', Buffer.alloc(256 * 1024, 0x61), { qos: 1 });
    expect(hub.hub.telemetry.recent('normal').at(-1)?.bodyBytes).toBe(256 * 1024);
    const closed = closedByServer(client);
    client.publish('devices/normal/messages/events/', Buffer.alloc(256 * 1024 + 1, 0x62), { qos: 1 });
    await closed;
    expect(hub.hub.telemetry.recent('normal').map((message) => message.bodyBytes)).not.toContain(256 * 1024 + 1);
    expect(warnings.some((line) => line.includes('the maximum is 262144'))).toBe(true);
    await normalDeviceIsServed();
  });
});
