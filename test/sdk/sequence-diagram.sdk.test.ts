import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { TrafficEvent } from '../../emulator/index.js';
import { toTrafficDto } from '../../main/host/dto-mappers.js';
import { buildSequence } from '../../renderer/features/sequence/sequence-model.js';
import { openAmqpDevice } from '../helpers/amqp-device.js';
import { connectRawAmqp } from '../helpers/raw-amqp.js';
import { connectRaw, nextMessage } from '../helpers/raw-mqtt.js';
import { policyToken, rest } from '../helpers/rest-client.js';
import { startTestHub, type TestHub } from '../helpers/start-hub.js';
import { eventually, waitForSubscription, waitForTraffic } from '../helpers/wait-for.js';

// The Teach view's sequence diagram drawn from the hub's real traffic. C2D: queued (studio or service → hub),
// delivered (hub → device), settled (device → hub) and feedback (hub → service), for MQTT and AMQP devices. Direct
// methods: the back end's request first (REST or the studio), the device's round trip, the answer to the back end.

let hub: TestHub;

beforeAll(async () => {
  hub = await startTestHub({ ports: { https: 0 } });
});

afterAll(async () => {
  await hub?.dispose();
});

function eventsOf(deviceId: string): TrafficEvent[] {
  return hub.hub.tap.snapshot().filter((event) => event.deviceId === deviceId);
}

function arrowsOf(deviceId: string, kinds: readonly string[] = ['c2d']): [string, string, string][] {
  return buildSequence(eventsOf(deviceId).map(toTrafficDto), [], deviceId)
    .filter((arrow) => kinds.includes(arrow.kind))
    .map((arrow) => [arrow.from, arrow.to, arrow.label]);
}

describe('C2D in the traffic and the sequence diagram', () => {
  it('a studio-sent message to an MQTT device: queued by the studio, delivered, completed by the PUBACK', async () => {
    await hub.hub.registry.create({ deviceId: 'seq-mqtt' });
    const client: MqttClient = await connectRaw(hub.hub, 'seq-mqtt', { clean: false });
    try {
      await client.subscribeAsync('devices/seq-mqtt/messages/devicebound/#', { qos: 1 });
      await waitForSubscription(hub.hub, 'seq-mqtt', 'devices/seq-mqtt/messages/devicebound/#');
      const received = nextMessage(client, /devicebound/);
      await hub.hub.sendC2D('seq-mqtt', { body: 'hello', messageId: 'sm-1' });
      await received;
      await waitForTraffic(hub.hub, (event) => event.deviceId === 'seq-mqtt' && event.kind === 'c2d' && event.topic === 'PUBACK sm-1');
      const queued = eventsOf('seq-mqtt').find((event) => event.kind === 'c2d' && event.direction === 'in' && event.topic.startsWith('queued'));
      expect(queued).toMatchObject({ backEnd: 'studio', protocol: 'hub', topic: 'queued sm-1 (iothub-ack: none)', payload: 'hello' });
      expect(eventsOf('seq-mqtt').filter((event) => event.kind === 'c2d' && event.rid === 'sm-1').map((event) => event.direction)).toEqual(['out', 'in']);
      expect(arrowsOf('seq-mqtt')).toEqual([
        ['backend', 'hub', 'C2D queued by the studio'],
        ['hub', 'device', 'C2D delivered'],
        ['device', 'hub', 'C2D completed'],
      ]);
    } finally {
      await client.endAsync(true);
    }
  });

  it('a service sending over AMQP to an AMQP device that rejects: queued by the service, delivered, rejected, feedback to the service', async () => {
    await hub.hub.registry.create({ deviceId: 'seq-amqp' });
    const device = await openAmqpDevice(hub.hub, 'seq-amqp', 'Amqp');
    const service = await connectRawAmqp(hub.hub);
    try {
      const arrived: Parameters<typeof device.reject>[0][] = [];
      device.on('message', (message: Parameters<typeof device.reject>[0]) => arrived.push(message));
      await waitForTraffic(hub.hub, (event) => event.deviceId === 'seq-amqp' && event.protocol === 'amqp' && event.topic.includes('attach'));
      expect(await service.putToken(policyToken(hub.hub, 'iothubowner'))).toBe(200);
      const feedback = await service.receiver('/messages/serviceBound/feedback').catch((error: unknown) => { throw new Error(`feedback receiver: ${JSON.stringify(error)}`); });
      const records: string[] = [];
      feedback.on('message', (context: { message?: { body?: unknown }; delivery?: { accept(): void } }) => {
        const body = context.message?.body as { content?: Buffer } | Buffer | undefined;
        records.push(Buffer.isBuffer(body) ? body.toString('utf8') : Buffer.from(body?.content ?? []).toString('utf8'));
        context.delivery?.accept();
      });
      const sender = await service.sender('/messages/devicebound').catch((error: unknown) => { throw new Error(`sender: ${JSON.stringify(error)}`); });
      const sent = await service.send(sender, { to: '/devices/seq-amqp/messages/devicebound', message_id: 'sa-1', body: 'turn on', application_properties: { 'iothub-ack': 'full' } });
      expect(sent).toEqual({ outcome: 'accepted' });
      await eventually(() => arrived.length > 0, 10_000, 'the C2D message at the device');
      await device.reject(arrived[0] as Parameters<typeof device.reject>[0]);
      await eventually(() => records.length > 0, 10_000, 'a feedback message');
      expect(records[0]).toContain('"statusCode":"Rejected"');
      const queued = eventsOf('seq-amqp').find((event) => event.kind === 'c2d' && event.topic.startsWith('queued'));
      expect(queued).toMatchObject({ direction: 'in', protocol: 'amqp', backEnd: 'service', topic: 'queued sa-1 (iothub-ack: full)', payload: 'turn on' });
      expect(eventsOf('seq-amqp').filter((event) => event.kind === 'c2d' && event.topic.startsWith('queued'))).toHaveLength(1);
      expect(arrowsOf('seq-amqp')).toEqual([
        ['backend', 'hub', 'C2D queued by the service'],
        ['hub', 'device', 'C2D delivered'],
        ['device', 'hub', 'C2D rejected'],
        ['hub', 'backend', 'C2D feedback Rejected'],
      ]);
    } finally {
      service.close();
      await device.close();
    }
  });

  it('a direct method called over REST and from the studio: request from the back-end lane, device round trip, answer', async () => {
    await hub.hub.registry.create({ deviceId: 'seq-method' });
    const client: MqttClient = await connectRaw(hub.hub, 'seq-method');
    try {
      client.on('message', (topic) => {
        const rid = /\?\$rid=([^&]+)/.exec(topic)?.[1];
        if (topic.startsWith('$iothub/methods/POST/') && rid) void client.publishAsync(`$iothub/methods/res/200/?$rid=${rid}`, '{"ok":true}');
      });
      await client.subscribeAsync('$iothub/methods/POST/#', { qos: 0 });
      await waitForSubscription(hub.hub, 'seq-method', '$iothub/methods/POST/#');
      const called = await rest(hub.hub, { method: 'POST', path: '/twins/seq-method/methods?api-version=2021-04-12', body: { methodName: 'reboot', payload: {}, responseTimeoutInSeconds: 10 } });
      expect(called.status).toBe(200);
      expect(await hub.hub.methods.invokeFromStudio({ deviceId: 'seq-method', methodName: 'blink', payload: null, responseTimeoutInSeconds: 10, connectTimeoutInSeconds: 0 })).toEqual({ status: 200, payload: { ok: true } });
      expect(arrowsOf('seq-method', ['rest', 'method']).map(([from, to, label]) => [from, to, label.replace(/\$rid=\w+/, '$rid')])).toEqual([
        ['backend', 'hub', 'POST /twins/seq-method/methods'],
        ['hub', 'device', 'method reboot $rid'],
        ['device', 'hub', 'method reply 200 $rid'],
        ['hub', 'backend', '200 POST /twins/seq-method/methods'],
        ['backend', 'hub', 'studio: method blink'],
        ['hub', 'device', 'method blink $rid'],
        ['device', 'hub', 'method reply 200 $rid'],
        ['hub', 'backend', 'method result 200'],
      ]);
    } finally {
      await client.endAsync(true);
    }
  });
});
