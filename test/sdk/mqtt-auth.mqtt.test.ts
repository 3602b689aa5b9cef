import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createSasToken } from '../../emulator/auth/sas-token.js';
import { closedByServer, connectRaw, deviceToken, rawDeviceOptions, twinRequest } from '../helpers/raw-mqtt.js';
import { eventually } from '../helpers/wait-for.js';
import { startTestHub, type TestHub } from '../helpers/start-hub.js';

/** The CONNACK return code a refused connection reported, or 0 when it connected. */
async function connackCode(attempt: Promise<MqttClient>): Promise<number> {
  try {
    const client = await attempt;
    await client.endAsync();
    return 0;
  } catch (error) {
    return (error as { code?: number }).code ?? -1;
  }
}

describe('device authentication and authorization (iothub-protocol.md §2-3, checklist 2-22)', () => {
  let hub: TestHub;
  const keyOf = (id: string) => hub.hub.registry.get(id).authentication.symmetricKey;

  beforeAll(async () => {
    hub = await startTestHub();
    for (const deviceId of ['alice', 'bob', 'carol']) await hub.hub.registry.create({ deviceId });
    await hub.hub.registry.update({ deviceId: 'carol', status: 'disabled' });
  });
  afterAll(async () => {
    await hub.dispose();
  });

  it('accepts the primary key, the secondary key, and usernames without ? or with extra parameters', async () => {
    expect(await connackCode(connectRaw(hub.hub, 'alice'))).toBe(0);
    expect(await connackCode(connectRaw(hub.hub, 'alice', { key: keyOf('alice').secondaryKey }))).toBe(0);
    expect(await connackCode(connectRaw(hub.hub, 'alice', { username: 'localhost/alice/api-version=2018-06-30' }))).toBe(0);
    const withModel = 'LOCALHOST/alice/?api-version=2020-09-30&DeviceClientType=c%2F1&model-id=dtmi:com:example:Thermostat;1&x=y';
    expect(await connackCode(connectRaw(hub.hub, 'alice', { username: withModel }))).toBe(0);
  });

  it('refuses a wrong key, an unknown device, an expired token and another device\'s token with CONNACK 5', async () => {
    const wrongKey = Buffer.alloc(32, 7).toString('base64');
    expect(await connackCode(connectRaw(hub.hub, 'alice', { key: wrongKey }))).toBe(5);
    expect(await connackCode(connectRaw(hub.hub, 'nobody', { key: wrongKey }))).toBe(5);
    expect(await connackCode(connectRaw(hub.hub, 'alice', { expiresInSeconds: -10 }))).toBe(5);
    const bobsToken = deviceToken(hub.hub, 'bob', keyOf('bob').primaryKey);
    expect(await connackCode(connectRaw(hub.hub, 'alice', { password: bobsToken }))).toBe(5);
    expect(await connackCode(connectRaw(hub.hub, 'alice', { password: 'not a token' }))).toBe(5);
  });

  it('refuses a username that does not start with <host>/<clientId>, with CONNACK 5', async () => {
    expect(await connackCode(connectRaw(hub.hub, 'alice', { username: 'localhost/bob/?api-version=2021-04-12' }))).toBe(5);
    expect(await connackCode(connectRaw(hub.hub, 'alice', { clientId: 'bob' }))).toBe(5);
  });

  it('refuses a username and token made for another hub with CONNACK 5, as REST refuses the token (checklist 2)', async () => {
    const other = 'otherhub.azure-devices.net';
    const password = createSasToken({
      resourceUri: `${other}/devices/alice`,
      base64Key: keyOf('alice').primaryKey,
      expiresAtSeconds: Math.floor(Date.now() / 1000) + 3600,
    });
    expect(await connackCode(connectRaw(hub.hub, 'alice', { username: `${other}/alice/?api-version=2021-04-12`, password }))).toBe(5);
  });

  it('refuses a disabled device with CONNACK 3', async () => {
    expect(await connackCode(connectRaw(hub.hub, 'carol'))).toBe(3);
  });

  it('accepts a hub-level iothubowner token for any device and refuses the registryRead policy', async () => {
    const state = hub.hub.registry; // policies live in the hub; read them through a service connection string
    expect(state).toBeDefined();
    const ownerKey = /SharedAccessKey=([^;]+)/.exec(hub.hub.info.serviceConnectionString)?.[1] ?? '';
    const expires = Math.floor(Date.now() / 1000) + 600;
    const ownerToken = createSasToken({ resourceUri: 'localhost', base64Key: ownerKey, expiresAtSeconds: expires, policyName: 'iothubowner' });
    expect(await connackCode(connectRaw(hub.hub, 'bob', { password: ownerToken }))).toBe(0);
    const readToken = createSasToken({ resourceUri: 'localhost', base64Key: ownerKey, expiresAtSeconds: expires, policyName: 'registryRead' });
    expect(await connackCode(connectRaw(hub.hub, 'bob', { password: readToken }))).toBe(5);
  });

  it('refuses subscriptions to another device\'s topics with SUBACK 0x80', async () => {
    const client = await connectRaw(hub.hub, 'alice');
    const filters = ['devices/bob/messages/devicebound/#', 'devices/alice/messages/devicebound/#', '#'];
    // MQTT.js rejects the whole call when any filter is refused; the SUBACK it got is on the error.
    const suback = await client.subscribeAsync(filters).then(
      () => undefined,
      (error: { packet?: { granted?: number[] } }) => error.packet,
    );
    expect(suback?.granted).toEqual([128, 0, 128]);
    await client.endAsync();
  });

  it('grants a QoS 2 subscription QoS 1 and answers on it at QoS 0 (§3.4, checklist 18)', async () => {
    // aedes writes the requested QoS into the SUBACK before authorizeSubscribe runs; the frame guard in front of
    // aedes rewrites the request (emulator/transports/mqtt/frame-guard.ts).
    const client = await connectRaw(hub.hub, 'alice');
    const [grant] = await client.subscribeAsync('$iothub/twin/res/#', { qos: 2 });
    expect(grant?.qos).toBe(1);
    const response = await twinRequest(client, '$iothub/twin/GET/?$rid=q2', '', 'q2');
    expect(response.qos).toBe(0);
    await client.endAsync();
  });

  it.each([
    ['another device\'s telemetry topic', 'devices/bob/messages/events/', 1],
    ['an arbitrary topic', 'hello/world', 0],
    ['a QoS 2 publish to its own telemetry', 'devices/alice/messages/events/', 2],
  ] as const)('closes the connection on a publish to %s', async (_name, topic, qos) => {
    const client = await connectRaw(hub.hub, 'alice');
    const closed = closedByServer(client);
    client.publish(topic, 'x', { qos });
    await closed;
    client.end(true);
  });

  it('keeps device A\'s twin requests answered with A\'s twin only', async () => {
    await hub.hub.twins.updateTwin('bob', { properties: { desired: { secret: 'bob-only' } } });
    const client = await connectRaw(hub.hub, 'alice');
    await client.subscribeAsync('$iothub/twin/res/#');
    const response = await twinRequest(client, '$iothub/twin/GET/?$rid=1', '', '1');
    expect(response.payload).not.toContain('bob-only');
    await client.endAsync();
  });

  it('accepts telemetry at QoS 1 with a PUBACK', async () => {
    const client = await connectRaw(hub.hub, 'alice');
    const telemetry = new Promise<{ application: Record<string, string | null>; system: Record<string, string> }>((resolve) => {
      const dispose = hub.hub.events.on('telemetryReceived', (event) => {
        dispose();
        resolve(event.properties);
      });
    });
    await client.publishAsync('devices/alice/messages/events/%24.ct=application%2Fjson&%24.ce=utf-8&k=v%20w', '{"t":1}', { qos: 1 });
    const properties = await telemetry;
    expect(properties.system).toEqual({ ct: 'application/json', ce: 'utf-8' });
    expect(properties.application).toEqual({ k: 'v w' });
    await client.endAsync();
  });

  it('closes the live connection when the device is disabled', async () => {
    await hub.hub.registry.create({ deviceId: 'dave' });
    const client = await connectRaw(hub.hub, 'dave');
    const closed = closedByServer(client);
    await hub.hub.registry.update({ deviceId: 'dave', status: 'disabled' });
    await closed;
    client.end(true);
  });
});

describe('a live connection whose SAS token expires (iothub-protocol.md §2.3 step 4)', () => {
  let hub: TestHub;

  beforeAll(async () => {
    hub = await startTestHub({ tokenExpiryGraceMs: 2_000 });
    await hub.hub.registry.create({ deviceId: 'dora' });
  });
  afterAll(async () => {
    await hub.dispose();
  });

  it('stays open through the grace after expiry, then is closed', async () => {
    // The token expires at the next whole second; the grace keeps the connection past it.
    const client = await connectRaw(hub.hub, 'dora', { expiresInSeconds: 1 });
    const expiresAt = (Math.floor(Date.now() / 1000) + 1) * 1000;
    const closed = closedByServer(client, 6_000);
    await new Promise((resolve) => setTimeout(resolve, expiresAt + 1_000 - Date.now()));
    expect(client.connected).toBe(true);
    await closed;
    expect(Date.now()).toBeGreaterThanOrEqual(expiresAt + 2_000 - 50);
  });
});

describe('the Will message (iothub-protocol.md §3.5, checklist 16 and 21)', () => {
  let hub: TestHub;
  const wills: { deviceId: string; application: Record<string, string | null>; body: string }[] = [];

  beforeAll(async () => {
    hub = await startTestHub();
    for (const deviceId of ['wendy', 'walt']) await hub.hub.registry.create({ deviceId });
    hub.hub.events.on('telemetryReceived', (event) => wills.push({ deviceId: event.deviceId, application: { ...event.properties.application }, body: event.body.toString() }));
  });
  afterAll(async () => {
    await hub.dispose();
  });

  const withWill = async (deviceId: string) => {
    const options = await rawDeviceOptions(hub.hub, deviceId);
    return mqtt.connect({ ...options, will: { topic: `devices/${deviceId}/messages/events/reason=gone`, payload: Buffer.from('bye'), qos: 1, retain: false } });
  };

  it('forwards the Will of a dropped connection as telemetry with iothub-MessageType=Will', async () => {
    const client = await withWill('wendy');
    await new Promise<void>((resolve, reject) => {
      client.once('connect', () => resolve());
      client.once('error', reject);
    });
    client.stream.destroy();
    await eventually(() => wills.some((will) => will.deviceId === 'wendy'), 5_000, "wendy's Will");
    expect(wills.find((will) => will.deviceId === 'wendy')).toEqual({ deviceId: 'wendy', application: { reason: 'gone', 'iothub-MessageType': 'Will' }, body: 'bye' });
  });

  it('forwards the Will of a connection that drops right after CONNACK', async () => {
    const client = await withWill('walt');
    client.stream.on('data', () => client.stream.destroy());
    await eventually(() => wills.some((will) => will.deviceId === 'walt'), 5_000, "walt's Will");
    expect(wills.find((will) => will.deviceId === 'walt')?.application['iothub-MessageType']).toBe('Will');
    client.end(true);
  });
});
