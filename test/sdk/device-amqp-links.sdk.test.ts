import { NoRetry } from 'azure-iot-common';
import deviceSdk from 'azure-iot-device';
import amqpTransport from 'azure-iot-device-amqp';
import rhea from 'rhea';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createSasToken } from '../../emulator/auth/sas-token.js';

import { amqpConnectionString, amqpOptions, openAmqpDevice, openAmqpModule } from '../helpers/amqp-device.js';
import { openDevice, updateReported } from '../helpers/device-sdk.js';
import { connectRawAmqp, deviceSas } from '../helpers/raw-amqp.js';
import { startTestHub, type TestHub } from '../helpers/start-hub.js';
import { eventually, waitForTraffic } from '../helpers/wait-for.js';

// Device AMQP beyond the single-device happy path (iothub-protocol-2.md §3.2, §3.3, §3.8): modules, token renewal on a
// live connection, one device across transports, and IoT Hub's refusals for bad input, on the wire (raw rhea) and
// through the unmodified SDK.

let hub: TestHub;

beforeAll(async () => {
  // No grace after a token's expiry, so expiry and renewal are observable within a test.
  hub = await startTestHub({ ports: { https: 0 }, tokenExpiryGraceMs: 0 });
});

afterAll(async () => {
  await hub?.dispose();
});

describe('modules over AMQP', () => {
  it('ModuleClient sends telemetry, reports to its module twin and answers a module method', async () => {
    await hub.hub.registry.create({ deviceId: 'amqp-edge' });
    await hub.hub.modules.create({ deviceId: 'amqp-edge', moduleId: 'filter' });
    const client = await openAmqpModule(hub.hub, 'amqp-edge', 'filter');
    try {
      await client.sendEvent(new deviceSdk.Message('{"m":1}'));
      expect(hub.hub.telemetry.recent('amqp-edge', 'filter')[0]?.bodyPreview).toBe('{"m":1}');
      const twin = await client.getTwin();
      await updateReported(twin, { stage: 'ok' });
      const moduleTwin = hub.hub.twins.getServiceTwin('amqp-edge', 'filter') as { properties: { reported: Record<string, unknown> } };
      expect(moduleTwin.properties.reported.stage).toBe('ok');
      client.onMethod('ping', (_request, response) => void response?.send(200, 'pong'));
      const result = await hub.hub.methods.invoke({ deviceId: 'amqp-edge', moduleId: 'filter', methodName: 'ping', payload: null, responseTimeoutInSeconds: 10, connectTimeoutInSeconds: 10 });
      expect(result).toEqual({ status: 200, payload: 'pong' });
    } finally {
      await client.close();
    }
  });
});

describe('long-lived AMQP sessions', () => {
  it('keep answering twin requests past 2,048 pre-settled ones (each is settled, so the session buffer drains)', async () => {
    await hub.hub.registry.create({ deviceId: 'amqp-many' });
    const client = await openAmqpDevice(hub.hub, 'amqp-many', 'Amqp');
    try {
      const twin = await client.getTwin();
      for (let n = 1; n <= 2200; n += 1) await updateReported(twin, { n });
      const service = hub.hub.twins.getServiceTwin('amqp-many') as { properties: { reported: Record<string, unknown> } };
      expect(service.properties.reported).toMatchObject({ n: 2200, $version: 2201 });
    } finally {
      await client.close();
    }
  }, 60_000);
});

describe('tokens on a live AMQP connection', () => {
  it('the SDK renews its token with a new put-token and the connection outlives the first token', async () => {
    await hub.hub.registry.create({ deviceId: 'amqp-renew' });
    // Tokens valid 4 s, renewed 2 s before expiry: the first one is long gone after 6 s.
    const provider = deviceSdk.SharedAccessKeyAuthenticationProvider.fromConnectionString(amqpConnectionString(hub.hub, 'amqp-renew', 'Amqp'), 4, 2);
    const client = deviceSdk.Client.fromAuthenticationProvider(provider, amqpTransport.Amqp);
    await client.setOptions(await amqpOptions(hub.hub, 'Amqp'));
    await client.open();
    try {
      // By event id: the tap is a bounded ring, so its length stops growing once it is full.
      const mark = hub.hub.tap.snapshot().at(-1)?.id ?? 0;
      await new Promise((resolve) => setTimeout(resolve, 6500));
      await client.sendEvent(new deviceSdk.Message('after renewal'));
      const later = hub.hub.tap.snapshot().filter((event) => event.id > mark && event.deviceId === 'amqp-renew');
      expect(later.filter((event) => event.topic === '$cbs put-token' && event.status === 200).length).toBeGreaterThanOrEqual(2);
      expect(later.some((event) => event.kind === 'disconnect')).toBe(false);
      expect(hub.hub.telemetry.recent('amqp-renew').at(-1)?.bodyPreview).toBe('after renewal');
    } finally {
      await client.close();
    }
  });

  it('a connection whose token runs out without renewal is closed with amqp:unauthorized-access', async () => {
    await hub.hub.registry.create({ deviceId: 'amqp-expire' });
    const raw = await connectRawAmqp(hub.hub);
    expect(await raw.putToken(deviceSas(hub.hub, 'amqp-expire', { expiresAtSeconds: Math.floor(Date.now() / 1000) + 2 }))).toBe(200);
    await raw.sender('/devices/amqp-expire/messages/events');
    expect(hub.hub.registry.runtime('amqp-expire').connectionState).toBe('Connected');
    const error = await raw.closed();
    expect(error?.condition).toBe('amqp:unauthorized-access');
    await eventually(() => hub.hub.registry.runtime('amqp-expire').connectionState === 'Disconnected', 5000, 'disconnected');
  });
});

describe('one device, several transports', () => {
  it('keeps its twin, C2D queue and versions when it switches from MQTT to AMQP to AmqpWs', async () => {
    await hub.hub.registry.create({ deviceId: 'amqp-switch' });
    const mqtt = await openDevice(hub.hub, 'amqp-switch');
    await updateReported(await mqtt.getTwin(), { step: 1 });
    await mqtt.close();
    await hub.hub.sendC2D('amqp-switch', { body: 'queued while away', messageId: 'away-1' });
    for (const [step, transport] of [[2, 'Amqp'], [3, 'AmqpWs']] as const) {
      const client = await openAmqpDevice(hub.hub, 'amqp-switch', transport);
      try {
        const twin = await client.getTwin();
        // Reported starts at $version 1; each patch adds one, whichever transport sent it.
        expect(twin.properties.reported).toMatchObject({ step: step - 1, $version: step });
        await updateReported(twin, { step });
      } finally {
        await client.close();
      }
    }
    const service = hub.hub.twins.getServiceTwin('amqp-switch') as { properties: { reported: Record<string, unknown> } };
    expect(service.properties.reported).toMatchObject({ step: 3, $version: 4 });
    const client = await openAmqpDevice(hub.hub, 'amqp-switch', 'Amqp');
    try {
      const arrived = new Promise<string>((resolve) => client.on('message', (message: { data: Buffer; messageId: string }) => resolve(`${message.messageId}:${message.data.toString()}`)));
      expect(await arrived).toBe('away-1:queued while away');
    } finally {
      await client.close();
    }
  });

  it('a newer connection on another transport wins: the older one is closed', async () => {
    await hub.hub.registry.create({ deviceId: 'amqp-newer' });
    const mqtt = await openDevice(hub.hub, 'amqp-newer');
    // Without retries the SDK reports the drop instead of reconnecting (and taking over again).
    mqtt.setRetryPolicy(new NoRetry());
    const mqttClosed = new Promise<void>((resolve) => mqtt.once('disconnect', () => resolve()));
    const amqp = await openAmqpDevice(hub.hub, 'amqp-newer', 'Amqp');
    try {
      await amqp.sendEvent(new deviceSdk.Message('from amqp'));
      await mqttClosed;
      expect(hub.hub.registry.runtime('amqp-newer').connectionState).toBe('Connected');
    } finally {
      await amqp.close();
      await mqtt.close();
    }
    // And the other way round: an MQTT connection closes an older AMQP one.
    const raw = await connectRawAmqp(hub.hub);
    expect(await raw.putToken(deviceSas(hub.hub, 'amqp-newer'))).toBe(200);
    await raw.sender('/devices/amqp-newer/messages/events');
    const rawClosed = raw.closed();
    const second = await openDevice(hub.hub, 'amqp-newer');
    try {
      expect((await rawClosed)?.condition).toBe('amqp:link:detach-forced');
    } finally {
      await second.close();
    }
  });
});

describe('bad input on device links', () => {
  it('refuses a token for another hub, a wrong key and an unknown device with 401 on $cbs', async () => {
    await hub.hub.registry.create({ deviceId: 'amqp-bad' });
    const raw = await connectRawAmqp(hub.hub);
    try {
      expect(await raw.putToken(deviceSas(hub.hub, 'amqp-bad', { hostName: 'otherhub.azure-devices.net' }))).toBe(401);
      expect(await raw.putToken(deviceSas(hub.hub, 'amqp-bad', { key: Buffer.alloc(32, 7).toString('base64') }))).toBe(401);
      const stranger = deviceSas(hub.hub, 'amqp-bad').replace('devices%2Famqp-bad', 'devices%2Fnobody');
      expect(await raw.putToken(stranger)).toBe(401);
      await expect(raw.sender('/devices/amqp-bad/messages/events')).rejects.toMatchObject({ condition: 'amqp:unauthorized-access' });
    } finally {
      raw.close();
    }
  });

  it('refuses device links to a service token, links of another device, and unknown addresses', async () => {
    await hub.hub.registry.create({ deviceId: 'amqp-mine' });
    await hub.hub.registry.create({ deviceId: 'amqp-theirs' });
    const raw = await connectRawAmqp(hub.hub);
    try {
      const ownerKey = /SharedAccessKey=([^;]+)/.exec(hub.hub.info.serviceConnectionString)?.[1] ?? '';
      const serviceToken = createSasToken({ resourceUri: hub.hub.info.hostName, base64Key: ownerKey, expiresAtSeconds: Math.floor(Date.now() / 1000) + 600, policyName: 'iothubowner' });
      expect(await raw.putToken(serviceToken)).toBe(200);
      await expect(raw.sender('/devices/amqp-mine/messages/events')).rejects.toMatchObject({ condition: 'amqp:unauthorized-access' });
      expect(await raw.putToken(deviceSas(hub.hub, 'amqp-mine'))).toBe(200);
      await raw.sender('/devices/amqp-mine/messages/events');
      await expect(raw.receiver('/devices/amqp-theirs/messages/devicebound')).rejects.toMatchObject({ condition: 'amqp:unauthorized-access' });
      await expect(raw.sender('/devices/amqp-mine/somewhere-else')).rejects.toMatchObject({ condition: 'amqp:not-found' });
    } finally {
      raw.close();
    }
  });

  it('rejects a message over 256 KB with amqp:link:message-size-exceeded and keeps the link and nothing of the message', async () => {
    await hub.hub.registry.create({ deviceId: 'amqp-big' });
    const raw = await connectRawAmqp(hub.hub);
    try {
      expect(await raw.putToken(deviceSas(hub.hub, 'amqp-big'))).toBe(200);
      const sender = await raw.sender('/devices/amqp-big/messages/events');
      const big = await raw.send(sender, { body: Buffer.alloc(256 * 1024 + 1, 0x61) });
      expect(big).toMatchObject({ outcome: 'rejected', error: { condition: 'amqp:link:message-size-exceeded' } });
      expect(hub.hub.telemetry.recent('amqp-big')).toHaveLength(0);
      expect(await raw.send(sender, { body: 'small' })).toEqual({ outcome: 'accepted' });
      expect(hub.hub.telemetry.recent('amqp-big')).toHaveLength(1);
    } finally {
      raw.close();
    }
  });

  it('answers a malformed reported patch on the twin link with 400 and changes nothing', async () => {
    await hub.hub.registry.create({ deviceId: 'amqp-twin-bad' });
    const raw = await connectRawAmqp(hub.hub);
    try {
      expect(await raw.putToken(deviceSas(hub.hub, 'amqp-twin-bad'))).toBe(200);
      const properties = { 'com.microsoft:channel-correlation-id': 'twin:t1' };
      const sender = await raw.connection.open_sender({ target: { address: '/devices/amqp-twin-bad/twin' }, properties } as never);
      const replies = raw.connection.open_receiver({ source: { address: '/devices/amqp-twin-bad/twin' }, properties } as never);
      const reply = new Promise<{ status: number; body: string }>((resolve) =>
        replies.on('message', (context) => resolve({ status: Number((context.message?.message_annotations as Record<string, unknown>).status), body: String((context.message?.body as { content: Buffer }).content) })),
      );
      await waitForTraffic(hub.hub, (event) => event.deviceId === 'amqp-twin-bad' && event.topic === 'AMQP attach');
      await eventually(() => sender.sendable(), 5000, 'twin sender credit');
      sender.send({ correlation_id: 'req-1', message_annotations: { operation: 'PATCH', resource: '/properties/reported' }, body: rhea.message.data_section(Buffer.from('{"a":')) });
      const answer = await reply;
      expect(answer.status).toBe(400);
      expect(JSON.parse(answer.body)).toMatchObject({ errorCode: expect.any(Number) as number, message: expect.stringMatching(/JSON/i) as string });
      const twin = hub.hub.twins.getServiceTwin('amqp-twin-bad') as { properties: { reported: Record<string, unknown> } };
      expect(twin.properties.reported.$version).toBe(1);
    } finally {
      raw.close();
    }
  });
});

