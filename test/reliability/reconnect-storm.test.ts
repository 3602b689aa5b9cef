import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { rawDeviceOptions } from '../helpers/raw-mqtt.js';
import { startTestHub, type TestHub } from '../helpers/start-hub.js';
import { eventually } from '../helpers/wait-for.js';

/**
 * Reconnect storm (issue 7): 500 MQTT.js devices with clean=false sessions that, like the Node SDK (sdk-notes.md
 * §6.1), never re-subscribe after a reconnect. All drop at once — half closed by the hub, half by a dead socket on
 * the device side — and reconnect together. Every session must come back (sessionPresent), every device must still
 * get its twin responses and exactly one notification per desired change: the hub publishes them at QoS 0 (§3.4),
 * so MQTT allows no duplicates at all, whatever QoS the device subscribed with.
 */
const DEVICES = 500;
const CONCURRENCY = 50;

interface Device {
  readonly id: string;
  readonly client: MqttClient;
  readonly desiredVersions: number[];
  connacks: boolean[];
}

describe(`a reconnect storm of ${DEVICES} devices`, () => {
  let hub: TestHub;
  const devices: Device[] = [];

  beforeAll(async () => {
    hub = await startTestHub();
    const ids = Array.from({ length: DEVICES }, (_, index) => `storm-${index}`);
    await Promise.all(ids.map((deviceId) => hub.hub.registry.create({ deviceId })));
    let next = 0;
    const connectOne = async () => {
      while (next < ids.length) {
        const index = next++;
        const id = ids[index] ?? '';
        const options = await rawDeviceOptions(hub.hub, id, { expiresInSeconds: 3600 });
        // resubscribe: false is what the Node SDK's twin state machine amounts to after a reconnect.
        const client = mqtt.connect({ ...options, reconnectPeriod: 100, resubscribe: false, connectTimeout: 20_000 });
        const device: Device = { id, client, desiredVersions: [], connacks: [] };
        client.on('connect', (connack) => device.connacks.push(connack.sessionPresent));
        client.on('message', (topic) => {
          const match = /^\$iothub\/twin\/PATCH\/properties\/desired\/\?\$version=(\d+)$/.exec(topic);
          if (match) device.desiredVersions.push(Number(match[1]));
        });
        await new Promise<void>((resolve, reject) => {
          client.once('connect', () => resolve());
          client.once('error', reject);
        });
        // Half subscribe at QoS 1 (Python, C#), half at QoS 0 (Node, C): the hub answers at QoS 0 either way.
        const qos = index % 2 === 0 ? 0 : 1;
        await client.subscribeAsync(['$iothub/twin/res/#', '$iothub/twin/PATCH/properties/desired/#'], { qos });
        devices[index] = device;
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, connectOne));
  }, 120_000);

  afterAll(async () => {
    await Promise.all(devices.map((device) => device.client.endAsync(true)));
    await hub.dispose();
  });

  /** A desired change for every device, then waits until each has exactly `expected` notifications. */
  async function patchAll(value: number, expected: number[]): Promise<void> {
    await Promise.all(devices.map((device) => hub.hub.twins.updateTwin(device.id, { properties: { desired: { wave: value } } })));
    await eventually(() => devices.every((device) => device.desiredVersions.length >= expected.length), 30_000, 'every notification');
    // A late duplicate would arrive within a few ms of the original; give it time to show up.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const wrong = devices.filter((device) => JSON.stringify(device.desiredVersions) !== JSON.stringify(expected));
    expect(wrong.map((device) => `${device.id}: ${JSON.stringify(device.desiredVersions)}`)).toEqual([]);
  }

  it('delivers exactly one notification per desired change before the storm', async () => {
    await patchAll(1, [2]);
  });

  it('brings every session back after all devices drop at once, without a new SUBSCRIBE', async () => {
    const reconnected = devices.map((device) => new Promise<void>((resolve) => device.client.once('connect', () => resolve())));
    devices.forEach((device, index) => {
      if (index % 2 === 0) hub.hub.disconnectDevice(device.id);
      else device.client.stream.destroy();
    });
    await Promise.all(reconnected);
    // Every reconnect found its persistent session.
    expect(devices.filter((device) => device.connacks.at(-1) !== true).map((device) => device.id)).toEqual([]);
    await eventually(() => devices.every((device) => device.client.connected), 30_000, 'all connected');
    // Twin responses still arrive on the restored `$iothub/twin/res/#` subscription.
    const answered = await Promise.all(
      devices.map(
        (device) =>
          new Promise<boolean>((resolve) => {
            const timer = setTimeout(() => resolve(false), 20_000);
            const onMessage = (topic: string) => {
              if (!topic.startsWith('$iothub/twin/res/200/?$rid=after')) return;
              clearTimeout(timer);
              device.client.off('message', onMessage);
              resolve(true);
            };
            device.client.on('message', onMessage);
            device.client.publish('$iothub/twin/GET/?$rid=after', '');
          }),
      ),
    );
    expect(answered.filter((ok) => !ok)).toHaveLength(0);
  }, 90_000);

  it('still delivers exactly one notification per desired change after the storm (no loss, no duplicate)', async () => {
    await patchAll(2, [2, 3]);
  });
});
