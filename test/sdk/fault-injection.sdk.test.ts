import deviceSdk from 'azure-iot-device';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { TrafficEvent } from '../../emulator/index.js';
import { openAmqpDevice } from '../helpers/amqp-device.js';
import { openDevice, updateReported, type DeviceClient, type DeviceTwin } from '../helpers/device-sdk.js';
import { startTestHub, type TestHub } from '../helpers/start-hub.js';
import { waitForTraffic } from '../helpers/wait-for.js';

// The SDKs' fault-injection convention (iothub-protocol-2.md §10.3, emulator/faults/README.md): an unmodified
// `azure-iot-device` client sends a message with `AzIoTHub_FaultOperationType` and the hub does that to its
// connection after the delay. For every type the SDK must recover: the desired patch written the moment the fault
// hit reaches it, and no reported write it had acknowledged is lost.

let hub: TestHub;

beforeAll(async () => {
  hub = await startTestHub({ faultInjection: true });
});

afterAll(async () => {
  await hub?.dispose();
});

type Transport = 'mqtt' | 'amqp';

const MQTT_FAULTS = ['KillTcp', 'ShutDownMqtt'] as const;
const AMQP_FAULTS = [
  'KillTcp',
  'KillAmqpConnection',
  'KillAmqpSession',
  'KillAmqpCBSLinkReq',
  'KillAmqpCBSLinkResp',
  'KillAmqpD2CLink',
  'KillAmqpC2DLink',
  'KillAmqpTwinLinkReq',
  'KillAmqpTwinLinkResp',
  'KillAmqpMethodReqLink',
  'KillAmqpMethodRespLink',
  'ShutDownAmqp',
] as const;
/** Faults after which the whole connection is gone (the SDK must open a new one). */
const CONNECTION_FAULTS = new Set(['KillTcp', 'ShutDownMqtt', 'KillAmqpConnection', 'ShutDownAmqp']);
/**
 * An AMQP `close` from the hub: azure-iot-device-amqp first detaches its links cleanly and waits for replies the closed
 * connection never sends (about 45 s), then reports 'disconnect' without retrying (`amqp:connection:forced` and a close
 * without error are not in its retryable errors); the app opens the client again, as the SDK samples do.
 */
const APP_REOPENS = new Set(['KillAmqpConnection', 'ShutDownAmqp']);

let counter = 0;

async function open(transport: Transport, deviceId: string): Promise<DeviceClient> {
  return transport === 'mqtt' ? openDevice(hub.hub, deviceId) : openAmqpDevice(hub.hub, deviceId, 'Amqp');
}

function faultMessage(type: string, delaySeconds: number): InstanceType<typeof deviceSdk.Message> {
  const message = new deviceSdk.Message(' ');
  message.properties.add('AzIoTHub_FaultOperationType', type);
  message.properties.add('AzIoTHub_FaultOperationCloseReason', ' boom ');
  message.properties.add('AzIoTHub_FaultOperationDelayInSecs', String(delaySeconds));
  message.properties.add('AzIoTHub_FaultOperationDurationInSecs', '5');
  return message;
}

function reportedOf(deviceId: string): Record<string, unknown> {
  return (hub.hub.twins.getServiceTwin(deviceId) as { properties: { reported: Record<string, unknown> } }).properties.reported;
}

/**
 * Resolves once the device sees `testProp === value`: from the notification, or, as a device app must after a
 * reconnect (IoT Hub does not replay desired notifications a device missed), from the full twin it fetches again.
 */
async function desiredArrives(client: DeviceClient, twin: DeviceTwin, value: string, timeoutMs: number): Promise<void> {
  const start = Date.now();
  const seen = () => (twin.properties.desired as Record<string, unknown>).testProp === value;
  while (!seen()) {
    if (Date.now() - start > timeoutMs) throw new Error(`desired testProp=${value} did not reach the device within ${timeoutMs} ms`);
    await Promise.race([client.getTwin().catch(() => undefined), new Promise((resolve) => setTimeout(resolve, 5000))]);
    if (!seen()) await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** A direct method and a C2D message both reach the device (so its method and C2D links are attached). */
async function roundTrips(deviceId: string): Promise<void> {
  // After a reconnect the SDK attaches its method links a little later; until then the hub answers 404 DeviceNotOnline.
  const start = Date.now();
  let result = await hub.hub.methods.invoke({ deviceId, methodName: 'ping', payload: null, responseTimeoutInSeconds: 10, connectTimeoutInSeconds: 10 }).catch((error: unknown) => error);
  while (!isResult(result) && Date.now() - start < 30_000) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    result = await hub.hub.methods.invoke({ deviceId, methodName: 'ping', payload: null, responseTimeoutInSeconds: 10, connectTimeoutInSeconds: 10 }).catch((error: unknown) => error);
  }
  expect(result).toMatchObject({ status: 200 });
  const settled = new Promise<string>((resolve) => {
    const dispose = hub.hub.events.on('c2dSettled', (event) => {
      if (event.deviceId !== deviceId) return;
      dispose();
      resolve(event.outcome);
    });
  });
  await hub.hub.sendC2D(deviceId, { body: 'c2d' });
  expect(await settled).toBe('Success');
}

function isResult(value: unknown): value is { status: number } {
  return typeof value === 'object' && value !== null && 'status' in value;
}

async function runFault(transport: Transport, type: string): Promise<void> {
  counter += 1;
  const deviceId = `fault-${transport}-${counter}`;
  await hub.hub.registry.create({ deviceId });
  const client = await open(transport, deviceId);
  if (APP_REOPENS.has(type)) client.on('disconnect', () => void client.open().catch(() => undefined));
  const slow = APP_REOPENS.has(type) ? 60_000 : 0;
  try {
    const twin = await client.getTwin();
    twin.on('properties.desired', () => undefined);
    // Every feature link attached, so each link fault has a link to cut.
    client.on('message', (message) => void client.complete(message).catch(() => undefined));
    client.onDeviceMethod('ping', (_request, response) => void response.send(200, 'pong'));
    await roundTrips(deviceId);
    await updateReported(twin, { before: 1 });
    const sentAt = Date.now();
    const isHit = (event: TrafficEvent) => event.kind === 'fault' && event.deviceId === deviceId && event.topic.startsWith(`fault ${type} → `);
    // The moment the fault hits, the service writes a desired property: the device is offline (or its link is gone).
    const hit = new Promise<TrafficEvent>((resolve) => {
      const dispose = hub.hub.events.on('traffic', (event) => {
        if (!isHit(event)) return;
        dispose();
        void hub.hub.twins.updateTwin(deviceId, { properties: { desired: { testProp: `during-${type}` } } });
        resolve(event);
      });
    });
    await client.sendEvent(faultMessage(type, 1));
    const event = await hit;
    expect(event.protocol).toBe(transport);
    expect(Date.now() - sentAt).toBeGreaterThanOrEqual(900);
    expect(event.topic).not.toContain('no live connection');
    if (CONNECTION_FAULTS.has(type)) {
      await waitForTraffic(hub.hub, (traffic) => traffic.kind === 'disconnect' && traffic.deviceId === deviceId && traffic.id > event.id, 10_000);
      await waitForTraffic(hub.hub, (traffic) => traffic.kind === 'connect' && traffic.deviceId === deviceId && traffic.id > event.id && !traffic.payload.startsWith('refused'), 20_000 + slow);
    }
    await desiredArrives(client, twin, `during-${type}`, 30_000 + slow);
    // The fault message is a command to the hub, not telemetry; ordinary telemetry still flows.
    await client.sendEvent(new deviceSdk.Message('after'));
    expect(hub.hub.telemetry.recent(deviceId).map((message) => message.bodyPreview)).toEqual(['after']);
    await updateReported(twin, { after: 2 });
    expect(reportedOf(deviceId)).toMatchObject({ before: 1, after: 2 });
    // Methods and C2D work again after the fault. (After the app reopens a client the SDK gave up on with
    // amqp:connection:forced, azure-iot-device 1.18 does not attach its method and C2D links again by itself.)
    if (type !== 'KillAmqpConnection') await roundTrips(deviceId);
  } finally {
    await client.close();
  }
}

describe('SDK fault injection over MQTT (azure-iot-device-mqtt)', () => {
  it.each(MQTT_FAULTS)('%s: the connection drops after the delay, the SDK reconnects, nothing acknowledged is lost', async (type) => {
    await runFault('mqtt', type);
  }, 60_000);
});

describe('SDK fault injection over AMQP (azure-iot-device-amqp)', () => {
  it.each(AMQP_FAULTS)('%s: the fault hits after the delay and the SDK recovers without losing an acknowledged write', async (type) => {
    await runFault('amqp', type);
  }, 150_000);
});

describe('SDK fault properties are ordinary telemetry unless fault injection is on', () => {
  it('routes the message and leaves the connection alone when the hub was not configured for faults', async () => {
    const plain = await startTestHub();
    try {
      await plain.hub.registry.create({ deviceId: 'no-faults' });
      const client = await openDevice(plain.hub, 'no-faults');
      try {
        await client.sendEvent(faultMessage('KillTcp', 0));
        expect(plain.hub.telemetry.recent('no-faults')).toHaveLength(1);
        expect(plain.hub.tap.snapshot().some((event) => event.kind === 'fault')).toBe(false);
      } finally {
        await client.close();
      }
    } finally {
      await plain.dispose();
    }
  }, 30_000);
});
