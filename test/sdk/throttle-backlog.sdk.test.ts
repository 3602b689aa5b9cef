import { afterEach, describe, expect, it } from 'vitest';

import type { TrafficEvent } from '../../emulator/index.js';
import { openAmqpDevice } from '../helpers/amqp-device.js';
import { closeClientsWithin, type DeviceClient, openDevice, updateReported } from '../helpers/device-sdk.js';
import { startTestHub, type TestHub } from '../helpers/start-hub.js';
import { waitForTraffic } from '../helpers/wait-for.js';

// 429002 ThrottleBacklogLimitExceeded (services/tiers/README.md) against the unmodified device SDK: a device that keeps
// more requests waiting in the throttling queue than the bound gets 429002 and its connection is closed, as IoT Hub
// drops it (iothub-protocol-2.md §10.2). S1 × 1 with twin updates scaled to 5/s and a bound of 3 queued requests.

let hub: TestHub | undefined;
const clients: DeviceClient[] = [];

afterEach(async () => {
  await closeClientsWithin(clients.splice(0));
  await hub?.dispose();
  hub = undefined;
});

const TIER = { name: 'S1', units: 1, rateScale: 0.1, maxQueuedPerDevice: 3 } as const;

function reportedOf(test: TestHub, deviceId: string): Record<string, unknown> {
  return (test.hub.twins.getServiceTwin(deviceId).properties as { reported: Record<string, unknown> }).reported;
}

describe('the throttling backlog over MQTT', () => {
  it('answers res/429 with 429002, closes the connection, the SDK reconnects, and nothing refused is applied', async () => {
    hub = await startTestHub({ tier: TIER });
    const test = hub;
    await test.hub.registry.create({ deviceId: 'backlog-mqtt' });
    const client = await openDevice(test.hub, 'backlog-mqtt');
    clients.push(client);
    const twin = await client.getTwin();
    // A desired listener: the SDK reconnects by itself while a feature needs the connection.
    twin.on('properties.desired', () => undefined);
    const mark = test.hub.tap.snapshot().at(-1)?.id ?? 0;
    // The burst: 5 pass at once, 3 wait in the queue, the rest are refused with 429002 and the connection drops. Twin
    // requests in flight when a connection drops get no answer (the Node MQTT twin client has no timeout), so the
    // outcomes are collected as they come rather than awaited together.
    const outcomes = new Map<number, string>();
    for (let i = 0; i < 20; i += 1) {
      void updateReported(twin, { [`b${i}`]: i }).then(
        () => outcomes.set(i, 'ok'),
        (error: Error) => outcomes.set(i, error.message),
      );
    }
    const after = (event: TrafficEvent) => event.id > mark && event.deviceId === 'backlog-mqtt';
    const backlog = await waitForTraffic(test.hub, (event) => after(event) && event.topic.startsWith('$iothub/twin/res/429/'), 10_000);
    expect(JSON.parse(String(backlog.payload))).toMatchObject({ errorCode: 429002 });
    // The hub closed the connection after its reply, and the SDK came back (its first reconnects may be refused while
    // its queued requests still wait: a new connection is a request of the device too).
    const dropped = await waitForTraffic(test.hub, (event) => after(event) && event.kind === 'disconnect' && event.id > backlog.id, 10_000);
    await waitForTraffic(test.hub, (event) => event.id > dropped.id && event.deviceId === 'backlog-mqtt' && event.kind === 'connect' && event.status === 0, 30_000);
    // The SDK reported each refusal to the app with the hub's message, and no refused update was applied.
    const refused = [...outcomes].filter(([, outcome]) => outcome.includes('Throttle backlog limit exceeded')).map(([i]) => i);
    expect(refused.length).toBeGreaterThan(0);
    const reported = reportedOf(test, 'backlog-mqtt');
    for (const i of refused) expect(reported).not.toHaveProperty(`b${i}`);
    expect(test.hub.tap.snapshot().filter((event) => after(event) && event.topic.startsWith('$iothub/twin/res/429/')).length).toBeGreaterThanOrEqual(refused.length);
    expect(test.hub.tierUsage()?.families.find((row) => row.family === 'twinUpdate')?.throttled).toBeGreaterThanOrEqual(refused.length);
    // The device works again.
    await updateReported(twin, { back: true });
    expect(reportedOf(test, 'backlog-mqtt').back).toBe(true);
  }, 90_000);
});

describe('the throttling backlog over AMQP', () => {
  it('answers the twin request with status 429 and 429002, then closes the connection', async () => {
    hub = await startTestHub({ tier: TIER });
    const test = hub;
    await test.hub.registry.create({ deviceId: 'backlog-amqp' });
    const client = await openAmqpDevice(test.hub, 'backlog-amqp', 'Amqp');
    clients.push(client);
    const twin = await client.getTwin();
    const mark = test.hub.tap.snapshot().at(-1)?.id ?? 0;
    void Promise.all(Array.from({ length: 20 }, (_, i) => updateReported(twin, { [`a${i}`]: i }).catch(() => undefined)));
    const after = (event: TrafficEvent) => event.id > mark && event.deviceId === 'backlog-amqp';
    const reply = await waitForTraffic(test.hub, (event) => after(event) && event.kind === 'twin' && event.status === 429 && String(event.payload).includes('429002'), 20_000);
    await waitForTraffic(test.hub, (event) => after(event) && event.kind === 'disconnect' && event.id > reply.id, 10_000);
  }, 60_000);
});
