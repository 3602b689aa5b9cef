import { afterEach, describe, expect, it } from 'vitest';

import type { HubEmulator } from '../../emulator/index.js';
import { nextDesired, openDevice, type DeviceClient } from '../helpers/device-sdk.js';
import { freePort } from '../helpers/free-port.js';
import { connectRaw, connectRawWithConnack, nextMessage } from '../helpers/raw-mqtt.js';
import { startTestHub, type TestHub } from '../helpers/start-hub.js';
import { eventually, waitForSubscription } from '../helpers/wait-for.js';

const DESIRED = '$iothub/twin/PATCH/properties/desired/#';

describe('persistent sessions (sdk-notes.md §6.1, checklist 13-14)', () => {
  const cleanups: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    while (cleanups.length) await cleanups.pop()?.();
  });

  async function hubOnFixedPort(dataDir?: string): Promise<TestHub> {
    const port = await freePort();
    const hub = await startTestHub({ ports: { mqtts: port } }, dataDir);
    cleanups.push(() => hub.dispose());
    return hub;
  }

  it('restores a clean=false session on reconnect: session-present, and desired patches flow with no new SUBSCRIBE', async () => {
    const { hub } = await hubOnFixedPort();
    await hub.registry.create({ deviceId: 'd1' });
    const first = await connectRawWithConnack(hub, 'd1', { clean: false });
    expect(first.sessionPresent).toBe(false);
    await first.client.subscribeAsync(DESIRED);
    await first.client.endAsync();
    const { client: second, sessionPresent } = await connectRawWithConnack(hub, 'd1', { clean: false });
    cleanups.push(() => second.endAsync());
    expect(sessionPresent).toBe(true);
    const received = nextMessage(second, /desired/);
    await hub.twins.updateTwin('d1', { properties: { desired: { a: 1 } } });
    expect(JSON.parse((await received).payload)).toEqual({ a: 1, $version: 2 });
  });

  it('restores a clean=false session after a hub restart: session-present and desired patches flow', async () => {
    const { hub } = await hubOnFixedPort();
    await hub.registry.create({ deviceId: 'd3' });
    const first = await connectRaw(hub, 'd3', { clean: false });
    await first.subscribeAsync(DESIRED);
    await first.endAsync();
    await hub.stop();
    await hub.start();
    const { client, sessionPresent } = await connectRawWithConnack(hub, 'd3', { clean: false });
    cleanups.push(() => client.endAsync());
    expect(sessionPresent).toBe(true);
    const received = nextMessage(client, /desired/);
    await hub.twins.updateTwin('d3', { properties: { desired: { b: 2 } } });
    expect(JSON.parse((await received).payload)).toEqual({ b: 2, $version: 2 });
  });

  it('forgets subscriptions when a device reconnects with clean=true', async () => {
    const { hub } = await hubOnFixedPort();
    await hub.registry.create({ deviceId: 'd2' });
    const first = await connectRaw(hub, 'd2', { clean: false });
    await first.subscribeAsync(DESIRED);
    await first.endAsync();
    const { client: second, sessionPresent } = await connectRawWithConnack(hub, 'd2', { clean: true });
    expect(sessionPresent).toBe(false);
    const seen: string[] = [];
    second.on('message', (topic) => seen.push(topic));
    await hub.twins.updateTwin('d2', { properties: { desired: { a: 1 } } });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(seen).toEqual([]);
    await second.endAsync();
  });

  it('keeps delivering desired patches to the real device SDK after a dropped connection', async () => {
    const { hub } = await hubOnFixedPort();
    await hub.registry.create({ deviceId: 'sdk-drop' });
    const client = await openDevice(hub, 'sdk-drop');
    cleanups.push(() => client.close());
    const twin = await client.getTwin();
    const firstPatch = nextDesired(twin, 2);
    await waitForSubscription(hub, 'sdk-drop', DESIRED);
    await hub.twins.updateTwin('sdk-drop', { properties: { desired: { step: 1 } } });
    await firstPatch;
    expect(hub.disconnectDevice('sdk-drop')).toBe(true);
    await eventually(() => hub.registry.runtime('sdk-drop').connectionState === 'Connected' && reconnected(hub, 'sdk-drop'), 15_000, 'SDK reconnect');
    const secondPatch = nextDesired(twin, 3);
    await hub.twins.updateTwin('sdk-drop', { properties: { desired: { step: 2 } } });
    expect(await secondPatch).toMatchObject({ step: 2, $version: 3 });
    const fresh = await client.getTwin();
    expect(fresh.properties.desired.step).toBe(2);
  });

  it('keeps delivering desired patches to the real device SDK after a hub restart', async () => {
    const testHub = await hubOnFixedPort();
    const hub = testHub.hub;
    await hub.registry.create({ deviceId: 'sdk-restart' });
    const client: DeviceClient = await openDevice(hub, 'sdk-restart');
    cleanups.push(() => client.close());
    const twin = await client.getTwin();
    // Adding a listener makes the SDK subscribe; it never subscribes again after the restart (sdk-notes.md §6.1).
    const listening = waitForSubscription(hub, 'sdk-restart', DESIRED);
    twin.on('properties.desired', () => undefined);
    await listening;
    await hub.stop();
    await hub.start();
    await eventually(() => hub.registry.runtime('sdk-restart').connectionState === 'Connected', 20_000, 'SDK reconnect after restart');
    const patch = nextDesired(twin, 2);
    await hub.twins.updateTwin('sdk-restart', { properties: { desired: { afterRestart: true } } });
    expect(await patch).toMatchObject({ afterRestart: true, $version: 2 });
  });

  it('refuses the real device SDK with a wrong key (UnauthorizedError, no retry storm)', async () => {
    const { hub } = await hubOnFixedPort();
    await hub.registry.create({ deviceId: 'sdk-bad', authentication: { symmetricKey: { primaryKey: Buffer.alloc(32, 1).toString('base64') } } });
    await hub.registry.update({ deviceId: 'sdk-bad', authentication: { symmetricKey: { primaryKey: Buffer.alloc(32, 2).toString('base64'), secondaryKey: Buffer.alloc(32, 3).toString('base64') } } });
    const wrong = createEmulatorlessConnectionString(hub, 'sdk-bad', Buffer.alloc(32, 1).toString('base64'));
    const attempts = hub.tap.snapshot().at(-1)?.id ?? 0;
    await expect(openWith(hub, wrong)).rejects.toThrow(/Not authorized|Unauthorized/i);
    const refusals = hub.tap.snapshot().filter((event) => event.id > attempts && event.kind === 'connect' && event.status === 5);
    expect(refusals).toHaveLength(1);
  });
});

function reconnected(hub: HubEmulator, deviceId: string): boolean {
  return hub.tap.snapshot().filter((event) => event.kind === 'connect' && event.deviceId === deviceId && event.status === 0).length >= 2;
}

function createEmulatorlessConnectionString(hub: HubEmulator, deviceId: string, key: string): string {
  return hub.deviceConnectionString(deviceId).replace(/SharedAccessKey=[^;]+/, `SharedAccessKey=${key}`);
}

async function openWith(hub: HubEmulator, connectionString: string): Promise<void> {
  const { readFile } = await import('node:fs/promises');
  const deviceSdk = (await import('azure-iot-device')).default;
  const { Mqtt } = (await import('azure-iot-device-mqtt')).default;
  const client = deviceSdk.Client.fromConnectionString(connectionString, Mqtt);
  await client.setOptions({ ca: await readFile(hub.info.caCertPath, 'utf8') });
  try {
    await client.open();
  } finally {
    await client.close().catch(() => undefined);
  }
}

