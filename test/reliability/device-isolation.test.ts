import type { MqttClient } from 'mqtt';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { closedByServer, connectRaw, deviceToken, nextMessage, twinRequest } from '../helpers/raw-mqtt.js';
import { startTestHub, type TestHub } from '../helpers/start-hub.js';
import { waitForSubscription } from '../helpers/wait-for.js';

/**
 * Security between devices (issue 7): what test/sdk/mqtt-auth.mqtt.test.ts does not already cover. Two devices share
 * the identical `$iothub/...` filters, so isolation rests entirely on the hub addressing replies, notifications,
 * method calls and C2D to one connection (sdk-notes.md §5): nothing of bob's may reach alice, nothing alice sends may
 * change bob, and no wildcard may widen a device's view. Service-token policies are covered in
 * service-rest.sdk.test.ts, the studio control API in control-api-exposure.test.ts and browser-host.test.ts.
 */
describe('devices cannot read or write each other', () => {
  let hub: TestHub;
  const open: MqttClient[] = [];
  const connect = async (deviceId: string, options: Parameters<typeof connectRaw>[2] = {}) => {
    const client = await connectRaw(hub.hub, deviceId, options);
    open.push(client);
    return client;
  };
  const twinOf = (deviceId: string) => hub.hub.twins.getServiceTwin(deviceId) as { version: number; etag: string; properties: { desired: Record<string, unknown>; reported: Record<string, unknown> } };
  /** The parts of a twin a device could change (not connection state). */
  const contentOf = (deviceId: string) => {
    const { version, etag, properties } = twinOf(deviceId);
    return { version, etag, properties };
  };

  beforeAll(async () => {
    hub = await startTestHub();
    for (const deviceId of ['alice', 'bob']) await hub.hub.registry.create({ deviceId });
    await hub.hub.modules.create({ deviceId: 'alice', moduleId: 'm1' });
  });
  afterEach(() => {
    for (const client of open.splice(0)) client.end(true);
  });
  afterAll(async () => {
    await hub.dispose();
  });

  it("never delivers bob's desired changes or twin responses to alice, though both hold the same filters", async () => {
    const alice = await connect('alice');
    const bob = await connect('bob');
    const filters = ['$iothub/twin/res/#', '$iothub/twin/PATCH/properties/desired/#'];
    await Promise.all([alice.subscribeAsync(filters), bob.subscribeAsync(filters)]);
    const seenByAlice: string[] = [];
    alice.on('message', (topic, payload) => seenByAlice.push(`${topic} ${payload.toString()}`));
    const bobGets = nextMessage(bob, /^\$iothub\/twin\/PATCH\/properties\/desired\//);
    await hub.hub.twins.updateTwin('bob', { properties: { desired: { secret: 'for-bob' } } });
    expect((await bobGets).payload).toContain('for-bob');
    await twinRequest(bob, '$iothub/twin/GET/?$rid=b1', '', 'b1');
    await twinRequest(alice, '$iothub/twin/GET/?$rid=a1', '', 'a1');
    expect(seenByAlice.filter((line) => line.includes('for-bob') || line.includes('$rid=b1'))).toEqual([]);
  });

  it("changes only the sender's twin with a reported patch, and closes a device that publishes desired", async () => {
    const bobBefore = contentOf('bob');
    const alice = await connect('alice');
    await alice.subscribeAsync('$iothub/twin/res/#');
    const reply = await twinRequest(alice, '$iothub/twin/PATCH/properties/reported/?$rid=r1', JSON.stringify({ owner: 'alice' }), 'r1');
    expect(reply.topic).toMatch(/^\$iothub\/twin\/res\/204\//);
    expect(twinOf('alice').properties.reported.owner).toBe('alice');
    // A device may report, never set desired properties: the hub closes the connection (iothub-protocol.md §3.4).
    const closed = closedByServer(alice);
    alice.publish('$iothub/twin/PATCH/properties/desired/?$rid=r2', JSON.stringify({ secret: 'forged' }));
    await closed;
    expect(twinOf('alice').properties.desired).not.toHaveProperty('secret');
    expect(contentOf('bob')).toEqual(bobBefore);
  });

  it.each([
    'devices/+/messages/devicebound/#',
    'devices/#',
    'devices/bob/#',
    '+/bob/messages/devicebound/#',
    '$iothub/#',
    '$iothub/+/res/#',
    '$iothub/twin/PATCH/properties/reported/#',
    '$iothub/methods/res/#',
    'devices/alice/modules/m1/#',
  ])('refuses the wider subscription %s with SUBACK 0x80', async (filter) => {
    const alice = await connect('alice');
    const suback = await alice.subscribeAsync(filter).then(
      (granted) => granted.map((grant) => grant.qos),
      (error: { packet?: { granted?: number[] } }) => error.packet?.granted,
    );
    expect(suback).toEqual([128]);
  });

  it("ignores a method response alice forges with the $rid of bob's pending call", async () => {
    const alice = await connect('alice');
    const bob = await connect('bob');
    await bob.subscribeAsync('$iothub/methods/POST/#');
    await waitForSubscription(hub.hub, 'bob', '$iothub/methods/POST/#');
    const request = nextMessage(bob, /^\$iothub\/methods\/POST\/reboot\//);
    const result = hub.hub.methods.invoke({ deviceId: 'bob', methodName: 'reboot', payload: null, responseTimeoutInSeconds: 5, connectTimeoutInSeconds: 0 });
    const rid = /\$rid=([^&]+)/.exec((await request).topic)?.[1] ?? '';
    await alice.publishAsync(`$iothub/methods/res/200/?$rid=${rid}`, JSON.stringify({ from: 'alice' }));
    await new Promise((resolve) => setTimeout(resolve, 100));
    await bob.publishAsync(`$iothub/methods/res/201/?$rid=${rid}`, JSON.stringify({ from: 'bob' }));
    expect(await result).toEqual({ status: 201, payload: { from: 'bob' } });
  });

  it("delivers bob's cloud-to-device messages to bob only", async () => {
    const alice = await connect('alice');
    const bob = await connect('bob');
    await Promise.all([alice.subscribeAsync('devices/alice/messages/devicebound/#', { qos: 1 }), bob.subscribeAsync('devices/bob/messages/devicebound/#', { qos: 1 })]);
    const seenByAlice: string[] = [];
    alice.on('message', (topic) => seenByAlice.push(topic));
    const bobGets = nextMessage(bob, /^devices\/bob\/messages\/devicebound\//);
    await hub.hub.sendC2D('bob', { body: 'for bob only' });
    expect((await bobGets).payload).toBe('for bob only');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(seenByAlice).toEqual([]);
  });

  it.each(['+', '#', 'a+b'])('refuses to register module %s: its topic filter would be a wildcard over its siblings (issue 11)', async (moduleId) => {
    await expect(hub.hub.modules.create({ deviceId: 'alice', moduleId })).rejects.toMatchObject({ code: 'ArgumentInvalid', httpStatus: 400 });
  });

  it("refuses a device's token for one of its modules (CONNACK 5)", async () => {
    const aliceToken = deviceToken(hub.hub, 'alice', hub.hub.registry.get('alice').authentication.symmetricKey.primaryKey);
    const attempt = connectRaw(hub.hub, 'alice', { clientId: 'alice/m1', username: 'localhost/alice/m1/?api-version=2021-04-12', password: aliceToken });
    await expect(attempt).rejects.toMatchObject({ code: 5 });
  });
});

/**
 * A device whose socket just dropped is offline for direct methods at once (issue 11, item 9e): before, a call made
 * in the milliseconds before aedes reported the disconnect was sent to the dead connection and waited the full
 * response timeout (504) instead of answering 404 DeviceNotOnline.
 */
describe('a direct method right after the device dropped', () => {
  let hub: TestHub;

  beforeAll(async () => {
    hub = await startTestHub();
    await hub.hub.registry.create({ deviceId: 'dropper' });
  });
  afterAll(async () => {
    await hub.dispose();
  });

  it('answers 404 DeviceNotOnline at once, not 504 after the timeout', async () => {
    for (let round = 0; round < 10; round += 1) {
      const client = await connectRaw(hub.hub, 'dropper', { clean: true });
      await client.subscribeAsync('$iothub/methods/POST/#');
      await waitForSubscription(hub.hub, 'dropper', '$iothub/methods/POST/#');
      client.stream.destroy();
      // Round 0 calls in the same tick, before the hub can have seen the drop; later rounds a few ms after it.
      if (round > 0) await new Promise((resolve) => setTimeout(resolve, round));
      const started = Date.now();
      const outcome = await hub.hub.methods
        .invoke({ deviceId: 'dropper', methodName: 'ping', payload: null, responseTimeoutInSeconds: 5, connectTimeoutInSeconds: 0 })
        .then(
          () => 'answered',
          (error: { code?: string }) => error.code,
        );
      expect({ round, outcome, fast: Date.now() - started < 1_000 }).toEqual({ round, outcome: 'DeviceNotOnline', fast: true });
      client.end(true);
    }
  }, 30_000);
});
