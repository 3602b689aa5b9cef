import { readFile } from 'node:fs/promises';

import deviceSdk from 'azure-iot-device';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { openAmqpDevice } from '../helpers/amqp-device.js';
import { openDevice, type DeviceClient } from '../helpers/device-sdk.js';
import { connectRawAmqp } from '../helpers/raw-amqp.js';
import { policyToken } from '../helpers/rest-client.js';
import { serviceClientsOnPort } from '../helpers/service-sdk-on-port.js';
import { startTestHub, type TestHub } from '../helpers/start-hub.js';
import { waitForTraffic } from '../helpers/wait-for.js';

// A Basic hub (B1, services/tiers/basic-tier.ts) against the unmodified SDKs over real sockets: twins, direct methods,
// C2D sends, scheduled jobs and configurations are refused with 403010 OperationNotAvailableInCurrentTier on every
// transport; D2C and the identity registry work as on a standard hub.

let hub: TestHub;
let ca = '';
const clients: DeviceClient[] = [];

beforeAll(async () => {
  hub = await startTestHub({ tier: { name: 'B1', units: 1 }, ports: { https: 0 } });
  ca = await readFile(hub.hub.info.caCertPath, 'utf8');
});

afterAll(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close().catch(() => undefined)));
  await hub?.dispose();
});

const service = () => serviceClientsOnPort(hub.hub.info.serviceConnectionString, hub.hub.info.ports.https ?? 0, ca);

describe('a B1 hub with the device SDK', () => {
  it('MQTT: telemetry goes through; a twin request is answered $iothub/twin/res/403 with 403010', async () => {
    await hub.hub.registry.create({ deviceId: 'basic-mqtt' });
    const client = await openDevice(hub.hub, 'basic-mqtt');
    clients.push(client);
    await client.sendEvent(new deviceSdk.Message('basic telemetry'));
    expect(hub.hub.telemetry.recent('basic-mqtt').map((message) => message.bodyPreview)).toEqual(['basic telemetry']);
    const refusal = await client.getTwin().then(
      () => undefined,
      (error: unknown) => error as Error,
    );
    // The SDK hands the hub's message to the app.
    expect(refusal?.message).toContain('not available in the current tier');
    const reply = await waitForTraffic(hub.hub, (event) => event.deviceId === 'basic-mqtt' && event.kind === 'twin' && event.direction === 'out' && event.topic.startsWith('$iothub/twin/res/403/'), 10_000);
    expect(JSON.parse(String(reply.payload))).toMatchObject({ errorCode: 403010 });
    // The connection stays up: telemetry still flows.
    await client.sendEvent(new deviceSdk.Message('still here'));
    expect(hub.hub.telemetry.recent('basic-mqtt').map((message) => message.bodyPreview)).toContain('still here');
  }, 60_000);

  it('AMQP: telemetry goes through; a twin request gets status 403 with 403010', async () => {
    await hub.hub.registry.create({ deviceId: 'basic-amqp' });
    const client = await openAmqpDevice(hub.hub, 'basic-amqp', 'Amqp');
    clients.push(client);
    await client.sendEvent(new deviceSdk.Message('amqp telemetry'));
    expect(hub.hub.telemetry.recent('basic-amqp').map((message) => message.bodyPreview)).toEqual(['amqp telemetry']);
    await expect(client.getTwin()).rejects.toThrow(/not available in the current tier/);
    const reply = await waitForTraffic(hub.hub, (event) => event.deviceId === 'basic-amqp' && event.kind === 'twin' && event.direction === 'out' && event.status === 403, 10_000);
    expect(String(reply.payload)).toContain('403010');
  }, 60_000);
});

describe('a B1 hub with the service SDK', () => {
  it('Registry works; twins and direct methods are refused with 403 OperationNotAvailableInCurrentTier', async () => {
    const { registry, client } = service();
    const created = await registry.create({ deviceId: 'basic-service' });
    expect(created.responseBody.deviceId).toBe('basic-service');
    expect((await registry.get('basic-service')).responseBody.deviceId).toBe('basic-service');
    const twinError = (await registry.getTwin('basic-service').catch((error: unknown) => error)) as { response?: { statusCode?: number; headers?: Record<string, string> }; responseBody?: string };
    expect(twinError.response?.statusCode).toBe(403);
    expect(twinError.response?.headers?.['iothub-errorcode']).toBe('OperationNotAvailableInCurrentTier');
    const patchError = (await registry.updateTwin('basic-service', { properties: { desired: { a: 1 } } }, '*').catch((error: unknown) => error)) as { response?: { statusCode?: number } };
    expect(patchError.response?.statusCode).toBe(403);
    const methodError = (await client.invokeDeviceMethod('basic-service', { methodName: 'reboot', payload: null, responseTimeoutInSeconds: 5 }).catch((error: unknown) => error)) as { response?: { statusCode?: number; headers?: Record<string, string> } };
    expect(methodError.response?.statusCode).toBe(403);
    expect(methodError.response?.headers?.['iothub-errorcode']).toBe('OperationNotAvailableInCurrentTier');
    // The twin was never written.
    expect((hub.hub.twins.getServiceTwin('basic-service') as { properties: { desired: Record<string, unknown> } }).properties.desired).not.toHaveProperty('a');
  }, 60_000);

  it('a C2D send over AMQP is rejected with amqp:not-allowed (the service SDK: InvalidOperationError, not retried)', async () => {
    await hub.hub.registry.create({ deviceId: 'basic-c2d' });
    const raw = await connectRawAmqp(hub.hub);
    try {
      expect(await raw.putToken(policyToken(hub.hub, 'iothubowner'), hub.hub.info.hostName)).toBe(200);
      const sender = await raw.sender('/messages/devicebound');
      const outcome = await raw.send(sender, { to: '/devices/basic-c2d/messages/devicebound', body: 'hello' });
      expect(outcome).toMatchObject({ outcome: 'rejected', error: { condition: 'amqp:not-allowed' } });
      expect(hub.hub.c2d.pending('basic-c2d')).toHaveLength(0);
    } finally {
      raw.close();
    }
  }, 60_000);
});
