import { readFile } from 'node:fs/promises';

import deviceSdk from 'azure-iot-device';
import rhea, { type Connection } from 'rhea';
import { afterEach, describe, expect, it } from 'vitest';

import type { TrafficEvent } from '../../emulator/index.js';
import { openAmqpDevice, type DeviceClient } from '../helpers/amqp-device.js';
import { closeClientsWithin } from '../helpers/device-sdk.js';
import { deviceSas } from '../helpers/raw-amqp.js';
import { startTestHub, type TestHub } from '../helpers/start-hub.js';
import { waitForTraffic } from '../helpers/wait-for.js';

// The `refuseConnections` fault and the tier's new-connection throttle over device AMQP (emulator/faults/README.md):
// a device or module token put on $cbs opens a new device connection, which passes the request gate; a refusal
// rejects the put-token delivery with the hub's condition. The unmodified Node SDK reads `amqp:internal-error` as a
// retryable InternalServerError, so `client.open()` keeps retrying and gets in once the window is over.

let hub: TestHub | undefined;
const clients: DeviceClient[] = [];

afterEach(async () => {
  await closeClientsWithin(clients.splice(0));
  await hub?.dispose();
  hub = undefined;
});

const refusedPutToken = (deviceId: string) => (event: TrafficEvent) =>
  event.kind === 'connect' && event.protocol === 'amqp' && event.deviceId === deviceId && event.topic === '$cbs put-token' && event.payload.startsWith('refused');

describe.each(['Amqp', 'AmqpWs'] as const)('refuseConnections over %s', (transport) => {
  it('the SDK open is refused (retryably) for the window, then connects; other devices are not refused', async () => {
    hub = await startTestHub({ ports: { https: transport === 'AmqpWs' ? 0 : null } });
    const test = hub;
    await test.hub.registry.create({ deviceId: 'amqp-refused' });
    await test.hub.registry.create({ deviceId: 'amqp-welcome' });
    const windowMs = 3000;
    const injected = Date.now();
    await test.hub.faults.inject({ fault: 'refuseConnections', device: 'amqp-refused', durationMs: windowMs });
    // Another device is not under the fault: it connects at once.
    const welcome = await openAmqpDevice(test.hub, 'amqp-welcome', transport);
    clients.push(welcome);
    expect(test.hub.tap.snapshot().some(refusedPutToken('amqp-welcome'))).toBe(false);

    const opening = openAmqpDevice(test.hub, 'amqp-refused', transport);
    const refusal = await waitForTraffic(test.hub, refusedPutToken('amqp-refused'), 10_000);
    expect(refusal.status).toBe(503);
    expect(refusal.payload).toContain('amqp:internal-error');
    expect(refusal.payload).toContain('refused by an injected fault');
    const client = await opening;
    clients.push(client);
    const connectedAfter = Date.now() - injected;
    expect(connectedAfter).toBeGreaterThanOrEqual(windowMs - 50);
    // The SDK retried on its own: more than one refused put-token, then an accepted one.
    const putTokens = test.hub.tap.snapshot().filter((event) => event.deviceId === 'amqp-refused' && event.topic === '$cbs put-token');
    expect(putTokens.filter((event) => event.payload.startsWith('refused')).length).toBeGreaterThanOrEqual(2);
    expect(putTokens.at(-1)?.status).toBe(200);
    await client.sendEvent(new deviceSdk.Message('after the window'));
    expect(test.hub.telemetry.recent('amqp-refused').map((message) => message.bodyPreview)).toEqual(['after the window']);
  }, 60_000);
});

describe('refuseConnections over AMQP after a drop', () => {
  it('a connected device that is dropped reconnects only after the window', async () => {
    hub = await startTestHub();
    const test = hub;
    await test.hub.registry.create({ deviceId: 'amqp-dropped' });
    const client = await openAmqpDevice(test.hub, 'amqp-dropped', 'Amqp');
    clients.push(client);
    // A feature that needs the connection, so the SDK reconnects by itself after the drop.
    const twin = await client.getTwin();
    twin.on('properties.desired', () => undefined);
    const mark = test.hub.tap.snapshot().at(-1)?.id ?? 0;
    const started = Date.now();
    await test.hub.faults.inject({ fault: 'refuseConnections', device: 'amqp-dropped', durationMs: 3000 });
    await test.hub.faults.inject({ fault: 'drop', device: 'amqp-dropped' });
    await waitForTraffic(test.hub, (event) => event.id > mark && refusedPutToken('amqp-dropped')(event), 15_000);
    const accepted = await waitForTraffic(test.hub, (event) => event.id > mark && event.deviceId === 'amqp-dropped' && event.topic === '$cbs put-token' && event.status === 200, 40_000);
    expect(accepted.id).toBeGreaterThan(mark);
    expect(Date.now() - started).toBeGreaterThanOrEqual(2950);
    await test.hub.twins.updateTwin('amqp-dropped', { properties: { desired: { back: true } } });
    await client.sendEvent(new deviceSdk.Message('back'));
    expect(test.hub.telemetry.recent('amqp-dropped').map((message) => message.bodyPreview)).toEqual(['back']);
  }, 60_000);
});

describe('new AMQP connections count in the tier throttle', () => {
  it('each AMQP device open is one deviceConnection admission (S1 × 1)', async () => {
    hub = await startTestHub({ tier: { name: 'S1', units: 1 } });
    const test = hub;
    const admitted = () => test.hub.tierUsage()?.families.find((row) => row.family === 'deviceConnection')?.admitted ?? -1;
    const before = admitted();
    for (const deviceId of ['tier-a', 'tier-b']) {
      await test.hub.registry.create({ deviceId });
      clients.push(await openAmqpDevice(test.hub, deviceId, 'Amqp'));
    }
    expect(admitted()).toBe(before + 2);
  }, 60_000);
});

/** A device login with SASL PLAIN (`<device>@sas.<hub>`, as the C SDK logs in): no put-token on `$cbs`. */
async function plainLogin(test: TestHub, deviceId: string): Promise<{ opened: Promise<void>; closed: Promise<{ condition?: string } | undefined>; connection: Connection }> {
  const ca = await readFile(test.hub.info.caCertPath, 'utf8');
  const connection = rhea.create_container().connect({
    host: 'localhost', port: test.hub.info.ports.amqps ?? 0, transport: 'tls', ca, servername: 'localhost', reconnect: false,
    username: `${deviceId}@sas.${test.hub.info.hostName}`, password: deviceSas(test.hub, deviceId),
  } as never);
  connection.on('connection_error', () => undefined);
  connection.on('error', () => undefined);
  const opened = new Promise<void>((resolve) => connection.once('connection_open', () => resolve()));
  const closed = new Promise<{ condition?: string } | undefined>((resolve) => {
    connection.once('connection_close', (context) => resolve(context.connection.error as { condition?: string } | undefined));
    connection.once('disconnected', () => resolve(undefined));
  });
  return { opened, closed, connection };
}

describe('refuseConnections for a SASL PLAIN device login (no put-token)', () => {
  it('closes the connection with the retryable condition during the window and keeps it afterwards', async () => {
    hub = await startTestHub();
    const test = hub;
    await test.hub.registry.create({ deviceId: 'plain-refused' });
    await test.hub.faults.inject({ fault: 'refuseConnections', device: 'plain-refused', durationMs: 2000 });
    const refused = await plainLogin(test, 'plain-refused');
    await refused.opened;
    expect(await refused.closed).toMatchObject({ condition: 'amqp:internal-error' });
    const event = await waitForTraffic(test.hub, (traffic) => traffic.deviceId === 'plain-refused' && traffic.topic === 'SASL PLAIN' && traffic.payload.startsWith('refused'), 5_000);
    expect(event.payload).toContain('refused by an injected fault');
    await new Promise((resolve) => setTimeout(resolve, 2100));
    const admitted = await plainLogin(test, 'plain-refused');
    await admitted.opened;
    try {
      const sender = admitted.connection.open_sender({ target: { address: '/devices/plain-refused/messages/events' } });
      const accepted = new Promise<void>((resolve, reject) => {
        sender.once('accepted', () => resolve());
        sender.once('rejected', () => reject(new Error('rejected')));
      });
      sender.once('sendable', () => sender.send({ body: 'after the window' }));
      await accepted;
      expect(test.hub.telemetry.recent('plain-refused').map((message) => message.bodyPreview)).toEqual(['after the window']);
    } finally {
      admitted.connection.close();
    }
  }, 30_000);
});
