import deviceSdk from 'azure-iot-device';
import { afterEach, describe, expect, it } from 'vitest';

import type { TrafficEvent } from '../../emulator/index.js';
import { openAmqpDevice, type DeviceClient } from '../helpers/amqp-device.js';
import { closeClientsWithin } from '../helpers/device-sdk.js';
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
