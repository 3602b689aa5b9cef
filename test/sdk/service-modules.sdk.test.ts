import { readFile } from 'node:fs/promises';

import deviceSdk from 'azure-iot-device';
import mqttTransport from 'azure-iot-device-mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { rest } from '../helpers/rest-client.js';
import { startTestHub, type TestHub } from '../helpers/start-hub.js';
import { eventually, waitForSubscription, waitForTraffic } from '../helpers/wait-for.js';

// Module identities (iothub-protocol.md §3.6, checklist 49, 63, 86, 96): REST registry and module twins, and the
// real azure-iot-device ModuleClient over MQTT (clientId `d/m`, SAS over `<host>/devices/d/modules/m`).

type ModuleClient = InstanceType<typeof deviceSdk.ModuleClient>;

let hub: TestHub;
let moduleClient: ModuleClient | undefined;

beforeAll(async () => {
  hub = await startTestHub({ ports: { https: 0 } });
  await hub.hub.registry.create({ deviceId: 'edge-1' });
});

afterAll(async () => {
  await moduleClient?.close();
  await hub?.dispose();
});

describe('module identities over REST', () => {
  it('creates, reads, lists and deletes modules with the registry status codes', async () => {
    const created = await rest(hub.hub, { method: 'PUT', path: '/devices/edge-1/modules/filter', body: { moduleId: 'filter', managedBy: 'me' } });
    expect(created.status).toBe(200);
    expect(created.json()).toMatchObject({ deviceId: 'edge-1', moduleId: 'filter', managedBy: 'me', connectionState: 'Disconnected', authentication: { type: 'sas' } });
    expect((await rest(hub.hub, { method: 'PUT', path: '/devices/edge-1/modules/filter', body: {} })).headers['iothub-errorcode']).toBe('ModuleAlreadyExistsOnDevice');
    expect((await rest(hub.hub, { method: 'PUT', path: '/devices/nobody/modules/filter', body: {} })).headers['iothub-errorcode']).toBe('DeviceNotFound');
    expect((await rest(hub.hub, { method: 'GET', path: '/devices/edge-1/modules/filter' })).status).toBe(200);
    expect((await rest(hub.hub, { method: 'GET', path: '/devices/edge-1/modules' })).json<{ moduleId: string }[]>().map((m) => m.moduleId)).toEqual(['filter']);
    const twin = await rest(hub.hub, { method: 'GET', path: '/twins/edge-1/modules/filter' });
    expect(twin.json()).toMatchObject({ deviceId: 'edge-1', moduleId: 'filter', properties: { desired: { $version: 1 }, reported: { $version: 1 } } });
    await rest(hub.hub, { method: 'PUT', path: '/devices/edge-1/modules/temp', body: {} });
    expect((await rest(hub.hub, { method: 'DELETE', path: '/devices/edge-1/modules/temp', headers: { 'if-match': '"*"' } })).status).toBe(204);
    const gone = await rest(hub.hub, { method: 'GET', path: '/twins/edge-1/modules/temp' });
    expect(gone.status).toBe(404);
    expect(gone.headers['iothub-errorcode']).toBe('ModuleNotFound');
  });

  it('answers DeviceNotOnline for a module method when the module is offline', async () => {
    const reply = await rest(hub.hub, { method: 'POST', path: '/twins/edge-1/modules/filter/methods', body: { methodName: 'ping' } });
    expect(reply.status).toBe(404);
    expect(reply.headers['iothub-errorcode']).toBe('DeviceNotOnline');
  });
});

describe('the real azure-iot-device ModuleClient over MQTT', () => {
  it('connects, reads its own twin, reports, and receives desired changes made to the module twin', async () => {
    const connectionString = hub.hub.moduleConnectionString('edge-1', 'filter');
    moduleClient = deviceSdk.ModuleClient.fromConnectionString(connectionString, mqttTransport.Mqtt);
    await moduleClient.setOptions({ ca: await readFile(hub.hub.info.caCertPath, 'utf8') });
    await moduleClient.open();
    const twin = await moduleClient.getTwin();
    expect(twin.properties.desired.$version).toBe(1);
    await new Promise<void>((resolve, reject) => twin.properties.reported.update({ filtering: true }, (error?: Error) => (error ? reject(error) : resolve())));
    const moduleTwin = (await rest(hub.hub, { method: 'GET', path: '/twins/edge-1/modules/filter' })).json<{ properties: { reported: Record<string, unknown> }; connectionState: string }>();
    expect(moduleTwin.properties.reported).toMatchObject({ filtering: true, $version: 2 });
    expect(moduleTwin.connectionState).toBe('Connected');
    expect(hub.hub.twins.getServiceTwin('edge-1')).toMatchObject({ connectionState: 'Disconnected', properties: { reported: { $version: 1 } } });
    const delta = new Promise<Record<string, unknown>>((resolve) => {
      twin.on('properties.desired', (patch: Record<string, unknown>) => {
        if (patch.$version === 2) resolve(patch);
      });
    });
    await waitForSubscription(hub.hub, 'edge-1', '$iothub/twin/PATCH/properties/desired/#');
    const patched = await rest(hub.hub, { method: 'PATCH', path: '/twins/edge-1/modules/filter', body: { properties: { desired: { threshold: 5 } } }, headers: { 'if-match': '"*"' } });
    expect(patched.status).toBe(200);
    expect(await delta).toMatchObject({ threshold: 5, $version: 2 });
    expect(hub.hub.twins.getServiceTwin('edge-1')).toMatchObject({ properties: { desired: { $version: 1 } } });
  });

  it('answers a module method through the module endpoint only', async () => {
    moduleClient?.onMethod('reset', (request, response) => void response!.send(200, { reset: request!.payload }));
    await eventually(() => hub.hub.tap.snapshot().some((e) => e.kind === 'subscribe' && e.payload.includes('$iothub/methods/POST/# → QoS')), 5000, 'method subscription');
    const reply = await rest(hub.hub, { method: 'POST', path: '/twins/edge-1/modules/filter/methods', body: { methodName: 'reset', payload: 7, responseTimeoutInSeconds: 5 } });
    expect(reply.status).toBe(200);
    expect(reply.json()).toEqual({ status: 200, payload: { reset: 7 } });
    const device = await rest(hub.hub, { method: 'POST', path: '/twins/edge-1/methods', body: { methodName: 'reset' } });
    expect(device.headers['iothub-errorcode']).toBe('DeviceNotOnline');
  });

  it('lists module twins in FROM devices.modules, never in FROM devices', async () => {
    const modules = hub.hub.query('SELECT * FROM devices.modules');
    expect(modules.items.map((t) => `${String(t.deviceId)}/${String(t.moduleId)}`)).toEqual(['edge-1/filter']);
    expect(hub.hub.query('SELECT * FROM devices').items.every((t) => t.moduleId === undefined)).toBe(true);
  });

  it('refuses a module token signed for another module', async () => {
    await hub.hub.modules.create({ deviceId: 'edge-1', moduleId: 'other' });
    const key = hub.hub.modules.get('edge-1', 'other').authentication.symmetricKey.primaryKey;
    const wrong = `HostName=${hub.hub.info.hostName};DeviceId=edge-1;ModuleId=filter;SharedAccessKey=${key};GatewayHostName=${hub.hub.info.hostName}:${hub.hub.info.ports.mqtts}`;
    const client = deviceSdk.ModuleClient.fromConnectionString(wrong, mqttTransport.Mqtt);
    await client.setOptions({ ca: await readFile(hub.hub.info.caCertPath, 'utf8') });
    await expect(client.open()).rejects.toThrow(/Not authorized/i);
  });

  it('drops the module connection and its modules when the device is deleted', async () => {
    const lastId = hub.hub.tap.snapshot().at(-1)?.id ?? 0;
    const closed = waitForTraffic(hub.hub, (event) => event.kind === 'disconnect' && event.deviceId === 'edge-1' && event.id > lastId);
    await hub.hub.registry.delete('edge-1');
    await closed;
    await eventually(() => [...hub.hub.modules.all()].length === 0, 5000, 'modules dropped');
  });
});
