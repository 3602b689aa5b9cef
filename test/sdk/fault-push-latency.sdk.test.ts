import { afterEach, describe, expect, it } from 'vitest';

import { openAmqpDevice } from '../helpers/amqp-device.js';
import { closeClientsWithin, type DeviceClient, openDevice } from '../helpers/device-sdk.js';
import { startTestHub, type TestHub } from '../helpers/start-hub.js';
import { waitForSubscription } from '../helpers/wait-for.js';

// The `latency` fault also holds back what the hub sends to the device (emulator/faults/README.md): desired-property
// notifications, C2D deliveries and direct method requests wait the latency (plus seeded jitter), in order per
// identity, on MQTT and AMQP alike. Measured with the unmodified device SDK.

let hub: TestHub | undefined;
const clients: DeviceClient[] = [];

afterEach(async () => {
  await closeClientsWithin(clients.splice(0));
  await hub?.dispose();
  hub = undefined;
});

// Well above what a push takes on a loaded machine, so the baseline and the delayed pushes cannot be confused.
const LATENCY_MS = 1500;

type Twin = Awaited<ReturnType<DeviceClient['getTwin']>>;

/** Collects the desired deltas the SDK reports, with the time each arrived. */
function recordDesired(twin: Twin): { deltas: { at: number; delta: Record<string, unknown> }[] } {
  const seen = { deltas: [] as { at: number; delta: Record<string, unknown> }[] };
  // The SDK's first event hands over its own desired object, which later patches change: copy each one.
  twin.on('properties.desired', (delta: Record<string, unknown>) => seen.deltas.push({ at: Date.now(), delta: JSON.parse(JSON.stringify(delta)) as Record<string, unknown> }));
  return seen;
}

async function until(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > timeoutMs) throw new Error(`${what} not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe.each(['mqtt', 'amqp'] as const)('latency on pushes to the device over %s', (transport) => {
  it('a desired patch arrives at least the latency after the write; two patches keep their order under jitter', async () => {
    hub = await startTestHub();
    const test = hub;
    const deviceId = `push-${transport}`;
    await test.hub.registry.create({ deviceId });
    const client = transport === 'mqtt' ? await openDevice(test.hub, deviceId) : await openAmqpDevice(test.hub, deviceId, 'Amqp');
    clients.push(client);
    const twin = await client.getTwin();
    const seen = recordDesired(twin);
    if (transport === 'mqtt') await waitForSubscription(test.hub, deviceId, '$iothub/twin/PATCH/properties/desired/#');

    // Without a fault, the baseline: the patch arrives quickly.
    let written = Date.now();
    await test.hub.twins.updateTwin(deviceId, { properties: { desired: { step: 0 } } });
    await until(() => seen.deltas.some((entry) => entry.delta.step === 0), 10_000, 'the baseline patch');
    const baseline = seen.deltas.find((entry) => entry.delta.step === 0)!.at - written;
    expect(baseline).toBeLessThan(LATENCY_MS);

    // A C2D receiver, ready before the fault (one message delivered) so the next delivery is started by a send.
    const received: number[] = [];
    client.on('message', (message) => {
      received.push(Date.now());
      void client.complete(message);
    });
    if (transport === 'mqtt') await waitForSubscription(test.hub, deviceId, 'devices/push-mqtt/messages/devicebound/#');
    await test.hub.sendC2D(deviceId, { body: 'ready' });
    await until(() => received.length > 0, 10_000, 'the first C2D message');

    await test.hub.faults.inject({ fault: 'latency', device: deviceId, latencyMs: LATENCY_MS, jitterMs: 400, durationMs: 60_000 });
    written = Date.now();
    await test.hub.twins.updateTwin(deviceId, { properties: { desired: { step: 1 } } });
    await test.hub.twins.updateTwin(deviceId, { properties: { desired: { step: 2 } } });
    await until(() => seen.deltas.some((entry) => entry.delta.step === 2), 10_000, 'the delayed patches');
    const delayed = seen.deltas.filter((entry) => entry.delta.step === 1 || entry.delta.step === 2);
    expect(delayed.map((entry) => entry.delta.step)).toEqual([1, 2]);
    expect(delayed[0]!.at - written).toBeGreaterThanOrEqual(LATENCY_MS - 20);
    expect(twin.properties.desired.step).toBe(2);

    // Direct method requests wait too: the round trip takes at least the latency.
    client.onDeviceMethod('ping', (_request, response) => void response.send(200, { pong: true }));
    const called = Date.now();
    const result = await test.hub.methods.invoke({ deviceId, methodName: 'ping', payload: null, responseTimeoutInSeconds: 20, connectTimeoutInSeconds: 10 });
    expect(result.status).toBe(200);
    expect(Date.now() - called).toBeGreaterThanOrEqual(LATENCY_MS - 20);

    // C2D: the delivery the send starts waits the latency.
    const sent = Date.now();
    await test.hub.sendC2D(deviceId, { body: 'late' });
    await until(() => received.length > 1, 10_000, 'the C2D message');
    expect(received[1]! - sent).toBeGreaterThanOrEqual(LATENCY_MS - 20);

    // Cleared: pushes are prompt again.
    test.hub.faults.clear(deviceId);
    written = Date.now();
    await test.hub.twins.updateTwin(deviceId, { properties: { desired: { step: 3 } } });
    await until(() => seen.deltas.some((entry) => entry.delta.step === 3), 10_000, 'the patch after clearing');
    expect(seen.deltas.find((entry) => entry.delta.step === 3)!.at - written).toBeLessThan(LATENCY_MS);
  }, 60_000);
});
