import { connect } from 'node:net';

import deviceSdk from 'azure-iot-device';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createSasToken, type TrafficEvent } from '../../emulator/index.js';
import { openAmqpDevice } from '../helpers/amqp-device.js';
import { openDevice, updateReported } from '../helpers/device-sdk.js';
import { rest } from '../helpers/rest-client.js';
import { startTestHub, type TestHub } from '../helpers/start-hub.js';
import { waitForTraffic } from '../helpers/wait-for.js';

// Faults from the studio and the CLI (emulator.faults, emulator/faults/README.md) against unmodified device SDKs:
// refused reconnects, a hub outage, method timeouts, the SDK error faults, latency and early token expiry. The Node
// SDK reconnects on its own only while a feature needs the connection (here: a desired-properties listener), as a
// device app with a twin has.

let hub: TestHub;

beforeAll(async () => {
  hub = await startTestHub({ faultInjection: true });
});

afterAll(async () => {
  await hub?.dispose();
});

const after = (id: number) => (event: TrafficEvent) => event.id > id;
const lastId = () => hub.hub.tap.snapshot().at(-1)?.id ?? 0;

function desiredOf(twin: { properties: { desired: unknown } }): Record<string, unknown> {
  return twin.properties.desired as Record<string, unknown>;
}

describe('refuse connections, then drop', () => {
  it('MQTT: reconnects are refused (CONNACK 3) for the window, then the SDK gets in and catches up on the twin', async () => {
    await hub.hub.registry.create({ deviceId: 'refused' });
    const client = await openDevice(hub.hub, 'refused');
    try {
      const twin = await client.getTwin();
      twin.on('properties.desired', () => undefined);
      await updateReported(twin, { before: 1 });
      const mark = lastId();
      await hub.hub.faults.inject({ fault: 'refuseConnections', device: 'refused', durationMs: 3000 });
      await hub.hub.faults.inject({ fault: 'drop', device: 'refused' });
      // Written while the device is away: it must see it once it is back.
      await hub.hub.twins.updateTwin('refused', { properties: { desired: { mode: 'outage' } } });
      const refusal = await waitForTraffic(hub.hub, (event) => after(mark)(event) && event.kind === 'connect' && event.deviceId === 'refused' && event.status === 3, 15_000);
      expect(refusal.payload).toContain('refused by an injected fault');
      await waitForTraffic(hub.hub, (event) => event.id > refusal.id && event.kind === 'connect' && event.deviceId === 'refused' && event.status === 0, 30_000);
      await client.getTwin();
      expect(desiredOf(twin).mode).toBe('outage');
      await updateReported(twin, { after: 2 });
      const reported = (hub.hub.twins.getServiceTwin('refused') as { properties: { reported: Record<string, unknown> } }).properties.reported;
      expect(reported).toMatchObject({ before: 1, after: 2 });
    } finally {
      await client.close();
    }
  }, 60_000);
});

describe('the hub goes down and comes back', () => {
  it('closes every listener (connections refused) and reopens them on the same ports; the SDK reconnects', async () => {
    await hub.hub.registry.create({ deviceId: 'outage' });
    const client = await openDevice(hub.hub, 'outage');
    try {
      (await client.getTwin()).on('properties.desired', () => undefined);
      const mark = lastId();
      await hub.hub.faults.inject({ fault: 'hubDown' });
      expect(hub.hub.faults.hubDown).toBe(true);
      const port = hub.hub.info.ports.mqtts;
      const refused = await new Promise<string>((resolve) => {
        const socket = connect(port, '127.0.0.1');
        socket.once('connect', () => (socket.destroy(), resolve('connected')));
        socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
      });
      expect(refused).toBe('ECONNREFUSED');
      await waitForTraffic(hub.hub, (event) => after(mark)(event) && event.kind === 'disconnect' && event.deviceId === 'outage', 10_000);
      await hub.hub.faults.inject({ fault: 'hubUp' });
      expect(hub.hub.faults.hubDown).toBe(false);
      expect(hub.hub.info.ports.mqtts).toBe(port);
      await waitForTraffic(hub.hub, (event) => after(mark)(event) && event.kind === 'connect' && event.deviceId === 'outage' && event.status === 0, 40_000);
      await client.sendEvent(new deviceSdk.Message('back'));
      expect(hub.hub.telemetry.recent('outage').map((message) => message.bodyPreview)).toContain('back');
      const topics = hub.hub.tap.snapshot().filter((event) => after(mark)(event) && event.kind === 'fault').map((event) => event.topic);
      expect(topics).toEqual(expect.arrayContaining(['fault hubDown', 'fault hubUp (listeners open again)']));
    } finally {
      await client.close();
    }
  }, 60_000);
});

describe('method timeout', () => {
  it('swallows the request, so the caller gets 504 GatewayTimeout after its own timeout', async () => {
    await hub.hub.registry.create({ deviceId: 'silent' });
    const client = await openDevice(hub.hub, 'silent');
    try {
      let called = false;
      client.onDeviceMethod('reboot', (_request, response) => {
        called = true;
        void response.send(200);
      });
      expect((await hub.hub.methods.invoke({ deviceId: 'silent', methodName: 'reboot', payload: null, responseTimeoutInSeconds: 10, connectTimeoutInSeconds: 10 })).status).toBe(200);
      called = false;
      await hub.hub.faults.inject({ fault: 'methodTimeout', device: 'silent', durationMs: 20_000 });
      const started = Date.now();
      await expect(hub.hub.methods.invoke({ deviceId: 'silent', methodName: 'reboot', payload: null, responseTimeoutInSeconds: 5, connectTimeoutInSeconds: 0 })).rejects.toMatchObject({ code: 'GatewayTimeout', httpStatus: 504 });
      expect(Date.now() - started).toBeGreaterThanOrEqual(4900);
      expect(called).toBe(false);
      hub.hub.faults.clear('silent');
      expect((await hub.hub.methods.invoke({ deviceId: 'silent', methodName: 'reboot', payload: null, responseTimeoutInSeconds: 10, connectTimeoutInSeconds: 10 })).status).toBe(200);
    } finally {
      await client.close();
    }
  }, 60_000);
});

describe('SDK error faults over AMQP (no disconnect)', () => {
  it('InvokeThrottling: sends are rejected as throttled for the duration, the SDK retries and gets through after it', async () => {
    await hub.hub.registry.create({ deviceId: 'throttled' });
    const client = await openAmqpDevice(hub.hub, 'throttled', 'Amqp');
    try {
      const request = new deviceSdk.Message(' ');
      request.properties.add('AzIoTHub_FaultOperationType', 'InvokeThrottling');
      request.properties.add('AzIoTHub_FaultOperationDelayInSecs', '0');
      request.properties.add('AzIoTHub_FaultOperationDurationInSecs', '3');
      await client.sendEvent(request);
      await waitForTraffic(hub.hub, (event) => event.kind === 'fault' && event.deviceId === 'throttled' && event.topic.startsWith('fault InvokeThrottling on'), 5000);
      const started = Date.now();
      const mark = lastId();
      await client.sendEvent(new deviceSdk.Message('during'));
      const waited = Date.now() - started;
      const refused = hub.hub.tap.snapshot().filter((event) => after(mark)(event) && event.deviceId === 'throttled' && event.kind === 'telemetry' && event.payload.startsWith('rejected'));
      expect(refused.length).toBeGreaterThan(0);
      expect(waited).toBeGreaterThan(1500);
      expect(hub.hub.telemetry.recent('throttled').map((message) => message.bodyPreview)).toEqual(['during']);
      // No disconnect happened.
      expect(hub.hub.tap.snapshot().some((event) => after(mark)(event) && event.deviceId === 'throttled' && event.kind === 'disconnect')).toBe(false);
    } finally {
      await client.close();
    }
  }, 60_000);

  it('InvokeAuthError: sends fail as unauthorized (not retried by the SDK) while the fault lasts', async () => {
    await hub.hub.registry.create({ deviceId: 'unauthorized' });
    const client = await openAmqpDevice(hub.hub, 'unauthorized', 'Amqp');
    try {
      const request = new deviceSdk.Message(' ');
      request.properties.add('AzIoTHub_FaultOperationType', 'InvokeAuthError');
      request.properties.add('AzIoTHub_FaultOperationDelayInSecs', '0');
      request.properties.add('AzIoTHub_FaultOperationDurationInSecs', '2');
      await client.sendEvent(request);
      await waitForTraffic(hub.hub, (event) => event.kind === 'fault' && event.deviceId === 'unauthorized' && event.topic.startsWith('fault InvokeAuthError on'), 5000);
      await expect(client.sendEvent(new deviceSdk.Message('during'))).rejects.toMatchObject({ name: 'UnauthorizedError' });
      await waitForTraffic(hub.hub, (event) => event.kind === 'fault' && event.deviceId === 'unauthorized' && event.topic === 'fault InvokeAuthError off', 10_000);
      await client.sendEvent(new deviceSdk.Message('after'));
      expect(hub.hub.telemetry.recent('unauthorized').map((message) => message.bodyPreview)).toEqual(['after']);
    } finally {
      await client.close();
    }
  }, 60_000);
});

describe('latency and early token expiry', () => {
  it('latency holds every request of the device back; expireToken makes the SDK authenticate again', async () => {
    await hub.hub.registry.create({ deviceId: 'slow' });
    const client = await openDevice(hub.hub, 'slow');
    try {
      const twin = await client.getTwin();
      twin.on('properties.desired', () => undefined);
      await hub.hub.faults.inject({ fault: 'latency', device: 'slow', latencyMs: 400, jitterMs: 100, durationMs: 30_000 });
      const started = Date.now();
      await updateReported(twin, { slow: true });
      expect(Date.now() - started).toBeGreaterThanOrEqual(390);
      hub.hub.faults.clear('slow');
      const mark = lastId();
      await hub.hub.faults.inject({ fault: 'expireToken', device: 'slow' });
      const hit = await waitForTraffic(hub.hub, (event) => after(mark)(event) && event.kind === 'fault' && event.topic.startsWith('fault expireToken →'), 5000);
      expect(hit.topic).toContain('SAS token expired');
      await waitForTraffic(hub.hub, (event) => event.id > hit.id && event.kind === 'connect' && event.deviceId === 'slow' && event.status === 0, 30_000);
      await updateReported(twin, { back: true });
    } finally {
      await client.close();
    }
  }, 60_000);
});

describe('SDK error faults over device HTTPS (raw requests, as the C# SDK sends them)', () => {
  it('InvokeMaxMessageQuota: 204 for the request, then 403002 IotHubQuotaExceeded for the duration, then 204 again', async () => {
    const https = await startTestHub({ faultInjection: true, ports: { https: 0 } });
    try {
      await https.hub.registry.create({ deviceId: 'http-quota' });
      const authorization = createSasToken({
        resourceUri: `${https.hub.info.hostName}/devices/http-quota`,
        base64Key: https.hub.registry.get('http-quota').authentication.symmetricKey.primaryKey,
        expiresAtSeconds: Math.floor(Date.now() / 1000) + 3600,
      });
      const send = (body: string, headers: Record<string, string> = {}) => rest(https.hub, { method: 'POST', path: '/devices/http-quota/messages/events', body, headers, authorization });
      const request = await send(' ', {
        'iothub-app-AzIoTHub_FaultOperationType': 'InvokeMaxMessageQuota',
        'iothub-app-AzIoTHub_FaultOperationDelayInSecs': '0',
        'iothub-app-AzIoTHub_FaultOperationDurationInSecs': '2',
      });
      expect(request.status).toBe(204);
      await waitForTraffic(https.hub, (event) => event.kind === 'fault' && event.topic.startsWith('fault InvokeMaxMessageQuota on'), 5000);
      const refused = await send('during');
      expect(refused.status).toBe(403);
      expect(refused.headers['iothub-errorcode']).toBe('IotHubQuotaExceeded');
      await waitForTraffic(https.hub, (event) => event.kind === 'fault' && event.topic === 'fault InvokeMaxMessageQuota off', 10_000);
      expect((await send('after')).status).toBe(204);
      expect(https.hub.telemetry.recent('http-quota').map((message) => message.bodyPreview)).toEqual(['after']);
    } finally {
      await https.dispose();
    }
  }, 60_000);
});
