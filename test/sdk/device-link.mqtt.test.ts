import { readFile } from 'node:fs/promises';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { JsonObject } from '../../emulator/index.js';
import { DeviceLink, type DeviceLinkOptions, type MethodRequest } from '../../emulator/simulation/device-link.js';
import { startTestHub, type TestHub } from '../helpers/start-hub.js';
import { eventually, waitForTraffic } from '../helpers/wait-for.js';

// The MQTT.js device link that simulations and the load generator use, against the real gateway: the SDK's wire
// dialect, errors as the hub sends them, abrupt vs graceful disconnects, and SAS renewal as DISCONNECT + CONNECT.

describe('the simulation device link', () => {
  let hub: TestHub;
  let ca: string;

  beforeAll(async () => {
    hub = await startTestHub();
    ca = await readFile(hub.hub.info.caCertPath, 'utf8');
  });

  afterAll(async () => {
    await hub?.dispose();
  });

  async function options(deviceId: string, extra: Partial<DeviceLinkOptions> = {}): Promise<DeviceLinkOptions> {
    const record = hub.hub.registry.find(deviceId) ?? (await hub.hub.registry.create({ deviceId }));
    return {
      host: '127.0.0.1',
      port: hub.hub.info.ports.mqtts,
      hostName: hub.hub.info.hostName,
      deviceId,
      sharedAccessKey: record.authentication.symmetricKey.primaryKey,
      ca,
      desired: true,
      methods: true,
      ...extra,
    };
  }

  it('connects like the Node SDK and does twin GET, reported PATCH, telemetry, desired and methods', async () => {
    const desired: JsonObject[] = [];
    const methods: MethodRequest[] = [];
    const link = await DeviceLink.open(await options('link-1', { modelId: 'dtmi:com:example:Thermostat;1' }), {
      onDesired: (patch) => desired.push(patch),
      onMethod: (request) => {
        methods.push(request);
        link.respondToMethod(request.rid, 201, { echo: request.payload });
      },
    });
    try {
      const connect = await waitForTraffic(hub.hub, (event) => event.deviceId === 'link-1' && event.kind === 'connect');
      expect(connect.payload).toBe('clean=false');
      expect(await link.getTwin()).toEqual({ desired: { $version: 1 }, reported: { $version: 1 } });
      expect(await link.patchReported({ temperature: 21 })).toBe(2);
      await link.sendTelemetry('{"t":1}', { contentType: 'application/json', properties: { source: 'test' } });
      const telemetry = await waitForTraffic(hub.hub, (event) => event.deviceId === 'link-1' && event.kind === 'telemetry');
      expect(telemetry.topic).toBe('devices/link-1/messages/events/%24.ct=application%2Fjson&source=test');
      await hub.hub.twins.updateTwin('link-1', { properties: { desired: { target: 5 } } });
      await eventually(() => desired.length === 1, 5000, 'desired patch');
      expect(desired[0]).toEqual({ target: 5, $version: 2 });
      const answer = await hub.hub.methods.invoke({ deviceId: 'link-1', methodName: 'ping', payload: { n: 1 }, responseTimeoutInSeconds: 5, connectTimeoutInSeconds: 0 });
      expect(answer).toEqual({ status: 201, payload: { echo: { n: 1 } } });
      expect(hub.hub.twins.getServiceTwin('link-1')).toMatchObject({ modelId: 'dtmi:com:example:Thermostat;1' });
    } finally {
      await link.close();
    }
  });

  it('turns a hub error answer into a rejection carrying its message', async () => {
    const link = await DeviceLink.open(await options('link-2'));
    try {
      await expect(link.patchReported({ $bad: 1 })).rejects.toThrow(/400 400004: .*names starting with '\$' are reserved/);
    } finally {
      await link.close();
    }
  });

  it('is refused with a wrong key, and reports a lost connection only when it did not end it itself', async () => {
    await expect(DeviceLink.open(await options('link-3', { sharedAccessKey: Buffer.alloc(32).toString('base64') }))).rejects.toThrow(
      'connect failed: Connection refused: Not authorized',
    );
    let lost = 0;
    const dropped = await DeviceLink.open(await options('link-3'), { onLost: () => lost++ });
    dropped.drop();
    const kicked = await DeviceLink.open(await options('link-3'), { onLost: () => lost++ });
    await hub.hub.registry.update({ deviceId: 'link-3', status: 'disabled' });
    await eventually(() => lost === 1, 5000, 'lost connection');
    expect(kicked.connected).toBe(false);
    await expect(kicked.getTwin()).rejects.toThrow('not connected');
  });

  it('renews its SAS token with a DISCONNECT and a new CONNECT on the same session, and keeps working', async () => {
    let lost = 0;
    const link = await DeviceLink.open(await options('link-4', { tokenValidSeconds: 8 }), { onLost: () => lost++ });
    try {
      const connects = () => hub.hub.tap.snapshot().filter((event) => event.deviceId === 'link-4' && event.kind === 'connect').length;
      expect(connects()).toBe(1);
      await eventually(() => connects() === 2, 12_000, 'renewal CONNECT');
      await eventually(() => link.connected, 5000, 'reconnected');
      expect(await link.patchReported({ after: 'renewal' })).toBeGreaterThan(1);
      expect(lost).toBe(0);
    } finally {
      await link.close();
    }
  }, 20_000);
});
