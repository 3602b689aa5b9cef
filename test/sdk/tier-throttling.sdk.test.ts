import { fileURLToPath } from 'node:url';

import deviceSdk from 'azure-iot-device';
import { afterEach, describe, expect, it } from 'vitest';

import { createSasToken } from '../../emulator/auth/sas-token.js';
import { ManualClock } from '../../emulator/index.js';
import { openAmqpDevice } from '../helpers/amqp-device.js';
import { closeClientsWithin, type DeviceClient, openDevice, updateReported } from '../helpers/device-sdk.js';
import { canBind443On, startLoopbackHub } from '../helpers/loopback-hub.js';
import { rest } from '../helpers/rest-client.js';
import { runServicePlan, SKIP_443_REASON } from '../helpers/service-sdk.js';
import { startTestHub, type TestHub } from '../helpers/start-hub.js';
import { eventually } from '../helpers/wait-for.js';

// Tier emulation (services/tiers/) against the unmodified SDKs over real sockets: an S1 hub with one unit throttles
// twin updates at 50/s (iothub-protocol.md §11) and refuses metered operations once the daily quota is used up
// (iothub-protocol-2.md §10.1), with IoT Hub's codes on each transport.

const THROTTLE_PLAN = fileURLToPath(new URL('../fixtures/service-sdk/run-throttle-plan.cjs', import.meta.url));
const can443 = await canBind443On('127.0.0.2');

let hub: TestHub | undefined;
const clients: DeviceClient[] = [];

afterEach(async () => {
  await closeClientsWithin(clients.splice(0));
  await hub?.dispose();
  hub = undefined;
});

/** The reported or desired section of a twin, as the service sees it. */
function sectionOf(test: TestHub, deviceId: string, section: 'reported' | 'desired'): Record<string, unknown> {
  const properties = test.hub.twins.getServiceTwin(deviceId).properties as Record<string, Record<string, unknown>>;
  return properties[section] ?? {};
}

function familyUsage(test: TestHub, family: string) {
  const row = test.hub.tierUsage()?.families.find((candidate) => candidate.family === family);
  if (!row) throw new Error(`no usage row for ${family}`);
  return row;
}

describe('tier emulation S1 × 1 with the device SDK', () => {
  it('closes the MQTT connection of a D2C burst past the shaping queue and the SDK retry policy resends what was refused', async () => {
    // rateScale 0.1: D2C 10/s (S1: 100/s), so a burst goes over the rate however slow this machine is.
    hub = await startTestHub({ tier: { name: 'S1', units: 1, rateScale: 0.1 } });
    await hub.hub.registry.create({ deviceId: 'd2c-burst' });
    const client = await openDevice(hub.hub, 'd2c-burst');
    clients.push(client);
    let connects = 0;
    const stopCounting = hub.hub.events.on('connectionStateChanged', (event) => {
      if (event.deviceId === 'd2c-burst' && event.connectionState === 'Connected') connects += 1;
    });
    // Every message the hub took (resends of unacknowledged ones may arrive twice: D2C is at least once).
    const received = new Set<string>();
    const stopReceiving = hub.hub.events.on('telemetryReceived', (event) => {
      if (event.deviceId === 'd2c-burst') received.add(event.properties.system.mid ?? '');
    });
    const count = 60;
    await Promise.all(Array.from({ length: count }, (_, i) => {
      const message = new deviceSdk.Message(JSON.stringify({ i }));
      message.messageId = `msg-${i}`;
      return client.sendEvent(message);
    }));
    stopReceiving();
    for (let i = 0; i < count; i += 1) expect(received.has(`msg-${i}`)).toBe(true);
    const usage = familyUsage(hub, 'deviceToCloud');
    expect(usage.limit).toBe(10);
    expect(usage.throttled).toBeGreaterThan(0);
    // The hub closed the connection and the SDK came back.
    expect(connects).toBeGreaterThanOrEqual(1);
    stopCounting();
  }, 120_000);

  it('answers a reported update past the queue over AMQP with status 429, applies nothing refused, and an app retry lands each once', async () => {
    hub = await startTestHub({ tier: { name: 'S1', units: 1, rateScale: 0.1 } });
    await hub.hub.registry.create({ deviceId: 'amqp-burst' });
    const client = await openAmqpDevice(hub.hub, 'amqp-burst');
    clients.push(client);
    const twin = await client.getTwin();
    const before = Number(sectionOf(hub, 'amqp-burst', 'reported').$version);
    const errors: string[] = [];
    const update = async (i: number): Promise<void> => {
      for (;;) {
        try {
          await updateReported(twin, { [`r${i}`]: i });
          return;
        } catch (error) {
          // azure-iot-device-amqp maps status 429 to ThrottlingError, then wraps it in a plain Error that its retry
          // policy does not retry; a device app retries it itself.
          errors.push((error as Error).message);
          await new Promise((resolve) => setTimeout(resolve, 1000));
        }
      }
    };
    const count = 40;
    await Promise.all(Array.from({ length: count }, (_, i) => update(i)));
    expect(errors.length).toBeGreaterThan(0);
    expect(errors[0]).toMatch(/Throttling/);
    const reported = sectionOf(hub, 'amqp-burst', 'reported');
    expect(reported.$version).toBe(before + count);
    for (let i = 0; i < count; i += 1) expect(reported[`r${i}`]).toBe(i);
    expect(familyUsage(hub, 'twinUpdate')).toMatchObject({ limit: 5, throttled: errors.length, admitted: count });
  }, 120_000);

  it('shapes a burst over MQTT (PUBACK-free twin responses wait), answers past the queue with res/429, applies nothing refused', async () => {
    hub = await startTestHub({ tier: { name: 'S1', units: 1 } });
    await hub.hub.registry.create({ deviceId: 'mqtt-burst' });
    const client = await openDevice(hub.hub, 'mqtt-burst');
    clients.push(client);
    const twin = await client.getTwin();
    const before = Number(sectionOf(hub, 'mqtt-burst', 'reported').$version);
    const outcomes = await Promise.all(
      Array.from({ length: 130 }, (_, i) => updateReported(twin, { [`m${i}`]: i }).then(() => 'ok', (error: Error) => error.message)),
    );
    const refused = outcomes.filter((outcome) => outcome !== 'ok');
    const applied = outcomes.length - refused.length;
    expect(applied).toBeGreaterThanOrEqual(100);
    expect(refused.length).toBeGreaterThan(0);
    // The Node MQTT twin client turns the error body's message into a plain Error (it does not look at the status).
    expect(refused[0]).toMatch(/Throttling/);
    const reported = sectionOf(hub, 'mqtt-burst', 'reported');
    expect(reported.$version).toBe(before + applied);
    const traffic = hub.hub.tap.snapshot().filter((event) => event.topic.startsWith('$iothub/twin/res/429/'));
    expect(traffic.length).toBe(refused.length);
    expect(JSON.parse(String(traffic[0]?.payload))).toMatchObject({ errorCode: 429001 });
  }, 60_000);
});

describe('the daily message quota (S1, window scaled by 1e-4: 40 messages per 8.64 s)', () => {
  it('refuses metered operations with IotHubQuotaExceeded on AMQP, 403002 on HTTPS and REST, closes MQTT, and resets with the window', async () => {
    const windowMs = 8640;
    const clock = new ManualClock(new Date(Math.floor(Date.now() / windowMs) * windowMs + 1));
    hub = await startTestHub({ tier: { name: 'S1', units: 1, quotaWindowScale: 1e-4 }, clock, ports: { https: 0 } });
    await hub.hub.registry.create({ deviceId: 'meter' });
    const amqp = await openAmqpDevice(hub.hub, 'meter');
    clients.push(amqp);
    // 6 KB counts as two 4 KB messages.
    await amqp.sendEvent(new deviceSdk.Message(Buffer.alloc(6 * 1024, 1)));
    expect(hub.hub.tierUsage()?.dailyQuota.used).toBe(2);
    for (let i = 0; i < 38; i += 1) await amqp.sendEvent(new deviceSdk.Message(`m${i}`));
    expect(hub.hub.tierUsage()?.dailyQuota).toMatchObject({ used: 40, limit: 40 });

    const amqpError = await amqp.sendEvent(new deviceSdk.Message('over')).then(() => undefined, (error: Error) => error);
    expect(amqpError?.constructor.name).toBe('IotHubQuotaExceededError');

    const token = createSasToken({
      resourceUri: `${hub.hub.info.hostName}/devices/meter`,
      base64Key: hub.hub.registry.get('meter').authentication.symmetricKey.primaryKey,
      expiresAtSeconds: Math.floor(Date.now() / 1000) + 3600,
    });
    const httpsEvent = await rest(hub.hub, { method: 'POST', path: '/devices/meter/messages/events', body: 'over', authorization: token });
    expect(httpsEvent.status).toBe(403);
    expect(httpsEvent.headers['iothub-errorcode']).toBe('IotHubQuotaExceeded');

    const twinPatch = await rest(hub.hub, { method: 'PATCH', path: '/twins/meter', body: { properties: { desired: { a: 1 } } } });
    expect(twinPatch.status).toBe(403);
    expect(twinPatch.headers['iothub-errorcode']).toBe('IotHubQuotaExceeded');
    expect(twinPatch.json<{ Message: string }>().Message).toMatch(/^ErrorCode:IotHubQuotaExceeded;/);
    // Identity registry operations are free.
    expect((await rest(hub.hub, { method: 'GET', path: '/devices/meter' })).status).toBe(200);

    // One connection per identity: the AMQP one goes before MQTT connects (a newer connection would close it).
    await amqp.close();
    const mqtt = await openDevice(hub.hub, 'meter');
    clients.push(mqtt);
    const refusedBefore = hub.hub.tierUsage()?.dailyQuota.refused ?? 0;
    const disconnectsBefore = hub.hub.tap.snapshot().filter((event) => event.kind === 'disconnect' && event.deviceId === 'meter').length;
    void mqtt.sendEvent(new deviceSdk.Message('over')).catch(() => undefined);
    // MQTT cannot refuse one PUBLISH: the hub closes the connection, the message unacknowledged.
    await eventually(() => (hub?.hub.tierUsage()?.dailyQuota.refused ?? 0) > refusedBefore, 10_000, 'the MQTT message refused');
    await eventually(
      () => (hub?.hub.tap.snapshot().filter((event) => event.kind === 'disconnect' && event.deviceId === 'meter').length ?? 0) > disconnectsBefore,
      10_000,
      'the MQTT connection closed',
    );
    // The SDK keeps reconnecting and resending the unacknowledged message, refused each time, until the window turns;
    // then its resend lands. (Closing the client before that would wait on the SDK's growing reconnect backoff.)
    clock.advance(windowMs);
    await eventually(() => hub?.hub.telemetry.recent('meter').some((message) => message.bodyPreview === 'over') ?? false, 30_000, 'the MQTT resend accepted in the new window');
    expect(hub.hub.tierUsage()?.dailyQuota.used).toBe(1);
    await mqtt.close();

    const again = await openAmqpDevice(hub.hub, 'meter');
    clients.push(again);
    await again.sendEvent(new deviceSdk.Message('next day'));
    expect(hub.hub.tierUsage()?.dailyQuota.used).toBe(2);
    expect(hub.hub.tierUsage()?.dailyQuota.refused).toBeGreaterThanOrEqual(4);
  }, 60_000);
});

describe('tier emulation off (the default)', () => {
  it('registers no gate check and shows no usage', async () => {
    hub = await startTestHub();
    expect(hub.hub.gate.active).toBe(false);
    expect(hub.hub.tierUsage()).toBeUndefined();
  });
});

const title = 'S1 × 1 with the real azure-iothub service SDK';
describe.skipIf(!can443)(can443 ? title : `${title} — SKIPPED: ${SKIP_443_REASON}`, () => {
  it('Registry.updateTwin sees 429 ThrottlingError with Retry-After, retries after it, and every update lands once', async () => {
    hub = await startLoopbackHub({ tier: { name: 'S1', units: 1, rateScale: 0.1 } });
    await hub.hub.registry.create({ deviceId: 'svc' });
    const before = Number(sectionOf(hub, 'svc', 'desired').$version);
    const [burst] = await runServicePlan(hub.hub, [{ op: 'burstWithRetry', deviceId: 'svc', count: 40 }], { script: THROTTLE_PLAN, timeoutMs: 60_000 });
    expect(burst?.ok).toBe(true);
    const value = burst?.value as { versions: number[]; throttled: { name: string; status: number; retryAfter: number; errorCode: string; body: string }[] };
    expect(value.throttled.length).toBeGreaterThan(0);
    expect(value.throttled[0]).toMatchObject({ name: 'ThrottlingError', status: 429, errorCode: 'ThrottlingException' });
    expect(value.throttled.every((seen) => Number.isInteger(seen.retryAfter) && seen.retryAfter >= 1)).toBe(true);
    expect(JSON.stringify(value.throttled[0]?.body)).toContain('ThrottlingException');
    // Each update got its own desired $version, none twice.
    expect(new Set(value.versions).size).toBe(40);
    const desired = sectionOf(hub, 'svc', 'desired');
    expect(desired.$version).toBe(before + 40);
    for (let i = 0; i < 40; i += 1) expect(desired[`b${i}`]).toBe(i);
  }, 90_000);

  it('DigitalTwinClient sees the 429 as a RestError with Retry-After (its ms-rest-js throttling policy never gets the response)', async () => {
    hub = await startLoopbackHub({ tier: { name: 'S1', units: 1, rateScale: 0.1 } });
    await hub.hub.registry.create({ deviceId: 'dt' });
    const [result] = await runServicePlan(hub.hub, [{ op: 'digitalTwinWhileThrottled', deviceId: 'dt', burst: 60 }], { script: THROTTLE_PLAN, timeoutMs: 60_000 });
    expect(result, JSON.stringify(result)).toMatchObject({ ok: true });
    const value = result?.value as { refused: number; outcome: { applied: boolean; name?: string; statusCode?: number; retryAfter?: string } };
    expect(value.refused).toBeGreaterThan(0);
    const patches = hub.hub.tap.snapshot().filter((event) => event.kind === 'rest' && event.topic === 'PATCH /digitaltwins/dt');
    if (value.outcome.applied) {
      // This machine was slow enough for the update to find room: then the hub answered it 202 at once.
      expect(patches.map((event) => event.status)).toEqual([202]);
    } else {
      expect(value.outcome).toMatchObject({ name: 'RestError', statusCode: 429 });
      expect(Number(value.outcome.retryAfter)).toBeGreaterThanOrEqual(1);
      expect(patches.map((event) => event.status)).toEqual([429]);
      expect(sectionOf(hub, 'dt', 'desired').dtUpdate).toBeUndefined();
    }
  }, 90_000);
});
