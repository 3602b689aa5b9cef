import type { MqttClient } from 'mqtt';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { connectRaw, nextMessage } from '../helpers/raw-mqtt.js';
import { rest } from '../helpers/rest-client.js';
import { startTestHub, type TestHub } from '../helpers/start-hub.js';
import { eventually, waitForSubscription } from '../helpers/wait-for.js';

// C2D delivery over MQTT as a hand-made MQTT.js device sees it (iothub-protocol.md §6.2, checklist 98-100):
// exact topic and QoS, removal on PUBACK only, redelivery to clean=false sessions after a drop and a hub restart.

let hub: TestHub;
const clients: MqttClient[] = [];

beforeAll(async () => {
  hub = await startTestHub({ ports: { https: 0 } });
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.endAsync(true)));
});

afterAll(async () => {
  await hub?.dispose();
});

async function device(deviceId: string, options: { clean?: boolean; subscribe?: boolean; ack?: boolean } = {}): Promise<MqttClient> {
  const client = await connectRaw(hub.hub, deviceId, { clean: options.clean ?? false });
  clients.push(client);
  if (options.ack === false) {
    // MQTT.js sends PUBACK only after handleMessage calls back: never calling back withholds the PUBACK.
    client.handleMessage = (_packet, _callback) => undefined;
  }
  if (options.subscribe ?? true) {
    await client.subscribeAsync(`devices/${deviceId}/messages/devicebound/#`, { qos: 1 });
    await waitForSubscription(hub.hub, deviceId, `devices/${deviceId}/messages/devicebound/#`);
  }
  return client;
}

const pending = (deviceId: string) => hub.hub.c2d.pending(deviceId).length;

describe('C2D over MQTT', () => {
  it('publishes at QoS 1 on devicebound with %24.-encoded system properties and app properties', async () => {
    await hub.hub.registry.create({ deviceId: 'topic-1' });
    const client = await device('topic-1');
    const received = nextMessage(client, /devicebound/);
    await hub.hub.sendC2D('topic-1', {
      body: '{"on":true}',
      messageId: 'm-1',
      correlationId: 'c-1',
      contentType: 'application/json',
      contentEncoding: 'utf-8',
      properties: { k: 'v w' },
    });
    const message = await received;
    expect(message.topic).toBe(
      'devices/topic-1/messages/devicebound/%24.mid=m-1&%24.to=%2Fdevices%2Ftopic-1%2Fmessages%2Fdevicebound&%24.cid=c-1&%24.ct=application%2Fjson&%24.ce=utf-8&k=v%20w&iothub-ack=none',
    );
    expect(message.qos).toBe(1);
    expect(message.payload).toBe('{"on":true}');
    await eventually(() => pending('topic-1') === 0, 5000, 'queue drained after PUBACK');
    expect(hub.hub.twins.getServiceTwin('topic-1').cloudToDeviceMessageCount).toBe(0);
  });

  it('keeps a message until it is PUBACKed, and re-sends it when the clean=false session resumes', async () => {
    await hub.hub.registry.create({ deviceId: 'unacked' });
    const silent = await device('unacked', { ack: false });
    const first = nextMessage(silent, /devicebound/);
    await hub.hub.sendC2D('unacked', { body: 'hold me', messageId: 'held' });
    await first;
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(pending('unacked')).toBe(1);
    expect(hub.hub.twins.getServiceTwin('unacked').cloudToDeviceMessageCount).toBe(1);
    await silent.endAsync(true);
    const again = await device('unacked', { subscribe: false });
    const redelivered = await nextMessage(again, /devicebound/);
    expect(redelivered.topic).toContain('%24.mid=held');
    await eventually(() => pending('unacked') === 0, 5000, 'queue drained after the resumed PUBACK');
  });

  it('delivers messages queued while a clean=false device was offline, in order, without a new SUBSCRIBE', async () => {
    await hub.hub.registry.create({ deviceId: 'offline-1' });
    const first = await device('offline-1');
    await first.endAsync();
    for (const n of [1, 2, 3]) await hub.hub.sendC2D('offline-1', { body: `n${n}`, messageId: `o-${n}` });
    expect(pending('offline-1')).toBe(3);
    const client = await connectRaw(hub.hub, 'offline-1', { clean: false });
    clients.push(client);
    const bodies: string[] = [];
    client.on('message', (_topic, payload) => bodies.push(payload.toString()));
    await eventually(() => bodies.length === 3, 5000, 'three messages');
    expect(bodies).toEqual(['n1', 'n2', 'n3']);
    await eventually(() => pending('offline-1') === 0, 5000, 'queue drained');
  });

  it('delivers nothing to a clean session until it subscribes again', async () => {
    await hub.hub.registry.create({ deviceId: 'clean-1' });
    const first = await device('clean-1', { clean: false });
    await first.endAsync();
    await hub.hub.sendC2D('clean-1', { body: 'later' });
    const client = await device('clean-1', { clean: true, subscribe: false });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(pending('clean-1')).toBe(1);
    const received = nextMessage(client, /devicebound/);
    await client.subscribeAsync('devices/clean-1/messages/devicebound/#', { qos: 1 });
    expect((await received).payload).toBe('later');
  });

  it('drops expired messages (with Expired feedback when asked) and purges the queue over REST', async () => {
    await hub.hub.registry.create({ deviceId: 'ttl-1' });
    hub.hub.c2d.takeFeedback();
    await hub.hub.sendC2D('ttl-1', { body: 'short', messageId: 'short', expiryTime: new Date(Date.now() + 50), ack: 'full' });
    await hub.hub.sendC2D('ttl-1', { body: 'long-1' });
    await hub.hub.sendC2D('ttl-1', { body: 'long-2' });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(pending('ttl-1')).toBe(2);
    const purged = await rest(hub.hub, { method: 'DELETE', path: '/devices/ttl-1/commands' });
    expect(purged.status).toBe(200);
    expect(purged.json()).toEqual({ totalMessagesPurged: 2, deviceId: 'ttl-1' });
    expect(pending('ttl-1')).toBe(0);
    expect(hub.hub.c2d.takeFeedback()).toMatchObject([{ originalMessageId: 'short', statusCode: 'Expired', deviceId: 'ttl-1' }]);
  });
});

describe('C2D across a hub restart', () => {
  it('keeps the queue and the session, and delivers after the restart', async () => {
    const restarted = await startTestHub({ ports: { https: null } });
    try {
      await restarted.hub.registry.create({ deviceId: 'restart-1' });
      const first = await connectRaw(restarted.hub, 'restart-1', { clean: false });
      await first.subscribeAsync('devices/restart-1/messages/devicebound/#', { qos: 1 });
      await waitForSubscription(restarted.hub, 'restart-1', 'devices/restart-1/messages/devicebound/#');
      await first.endAsync();
      await restarted.hub.sendC2D('restart-1', { body: 'survives', messageId: 'persisted' });
      await restarted.stop();
      await restarted.hub.start();
      expect(restarted.hub.c2d.pending('restart-1')).toHaveLength(1);
      const client = await connectRaw(restarted.hub, 'restart-1', { clean: false });
      try {
        const received = await nextMessage(client, /devicebound/);
        expect(received.topic).toContain('%24.mid=persisted');
        expect(received.payload).toBe('survives');
        await eventually(() => restarted.hub.c2d.pending('restart-1').length === 0, 5000, 'queue drained');
      } finally {
        await client.endAsync(true);
      }
    } finally {
      await restarted.dispose();
    }
  });
});
