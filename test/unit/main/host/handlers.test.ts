import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { Pushes } from '../../../../main/contract/index.js';
import type { EmulatorHost } from '../../../../main/emulator-host.js';
import { EventPump } from '../../../../main/host/event-pump.js';
import { handlerCalls } from '../../../helpers/handler-calls.js';
import { startStudioHost } from '../../../helpers/studio-host.js';
import { connectRaw } from '../../../helpers/raw-mqtt.js';
import { eventually } from '../../../helpers/wait-for.js';

let host: EmulatorHost;
let dispose: () => Promise<void>;

const { call, value } = handlerCalls(() => host);

beforeAll(async () => {
  ({ host, dispose } = await startStudioHost());
});
afterAll(() => dispose());

describe('the handler table on a real hub', () => {
  it('shows the built-in endpoint with a device message a real MQTT device sent', async () => {
    await value('devices.create', { deviceId: 'h-events' });
    const hub = host.requireRunning();
    const device = await connectRaw(hub, 'h-events');
    try {
      await device.publishAsync('devices/h-events/messages/events/alert=high', '{"t":1}', { qos: 1 });
    } finally {
      await device.endAsync();
    }
    const endpoint = await value('traffic.endpoint', {});
    expect(endpoint.partitions).toHaveLength(4);
    expect(endpoint.fallbackEnabled).toBe(true);
    expect(endpoint.recent.find((event) => event.deviceId === 'h-events')).toMatchObject({ source: 'Telemetry', body: '{"t":1}', properties: { alert: 'high' } });
    expect(endpoint.partitions.reduce((sum, partition) => sum + partition.count, 0)).toBeGreaterThanOrEqual(1);
  });

  it('sets the routing from Resource Manager\'s object: endpoints listed, routes with their endpoint, a bad condition refused with its position', async () => {
    const routing = {
      endpoints: { storageContainers: [{ name: 'archive', containerName: 'studio-archive', encoding: 'JSON' }], eventHubs: [{ name: 'extra', entityPath: 'studio-extra' }] },
      routes: [{ name: 'hot', source: 'DeviceMessages', condition: '$body.t > 30', endpointNames: ['archive'], isEnabled: true }],
      enrichments: [{ key: 'site', value: '$twin.tags.site', endpointNames: ['archive'] }],
    };
    const endpoint = await value('traffic.setRouting', { routing });
    expect(endpoint.endpoints).toEqual([
      { name: 'extra', kind: 'eventHub', address: 'studio-extra', stats: { events: 0 }, connectionString: host.requireRunning().eventHubConnectionString('iothubowner', 'studio-extra') },
      { name: 'archive', kind: 'storageContainer', address: 'studio-archive', stats: { written: 0, failed: 0 } },
    ]);
    expect(endpoint.routes).toEqual([{ name: 'hot', source: 'DeviceMessages', condition: '$body.t > 30', endpoint: 'archive', enabled: true, hits: 0 }]);
    expect(endpoint.routing).toMatchObject({ enrichments: routing.enrichments, fallbackRoute: { isEnabled: true } });
    const refused = await call('traffic.setRouting', { routing: { routes: [{ name: 'bad', source: 'DeviceMessages', condition: 't > > 1', endpointNames: ['events'], isEnabled: true }] } });
    expect(refused).toMatchObject({ ok: false, error: { code: 'ArgumentInvalid', httpStatus: 400, message: expect.stringMatching(/route 'bad': .*position 4/) as string } });
    expect((await value('traffic.endpoint', {})).routes.map((route) => route.name)).toEqual(['hot']);
    await value('traffic.setRouting', { routing: {} });
  });

  it('registers, lists, disables and deletes devices; details carry a working connection string', async () => {
    const created = await value('devices.create', { deviceId: 'h-dev' });
    expect(created).toMatchObject({ deviceId: 'h-dev', status: 'enabled', connectionState: 'Disconnected', twinVersion: 1, simulated: false });
    expect(created.connectionString).toMatch(/^HostName=localhost;DeviceId=h-dev;SharedAccessKey=.+;GatewayHostName=localhost:\d+$/);
    expect(created.caCertPath).toMatch(/ca\.pem$/);
    expect((await value('devices.list', {})).map((d) => d.deviceId)).toContain('h-dev');
    expect(await value('devices.setStatus', { deviceId: 'h-dev', status: 'disabled' })).toMatchObject({ status: 'disabled' });
    expect(await call('devices.create', { deviceId: 'h-dev' })).toMatchObject({ ok: false, error: { code: 'DeviceAlreadyExists', httpStatus: 409 } });
    expect(await call('devices.create', { deviceId: 'bad id' })).toMatchObject({ ok: false, error: { code: 'ArgumentInvalid', httpStatus: 400 } });
    await value('devices.delete', { deviceId: 'h-dev' });
    expect(await call('devices.get', { deviceId: 'h-dev' })).toMatchObject({ ok: false, error: { code: 'DeviceNotFound', httpStatus: 404 } });
  });

  it('registers X.509 devices with the built-in test PKI (self-signed and CA-signed), refusing an existing id', async () => {
    const self = await value('devices.createWithCertificate', { deviceId: 'h-x509', mode: 'selfSigned' });
    expect(self).toMatchObject({ mode: 'selfSigned', device: { deviceId: 'h-x509', authenticationType: 'selfSigned', connectionString: '' } });
    expect(self.connectionString).toMatch(/^HostName=localhost:\d+;DeviceId=h-x509;x509=true$/);
    expect(self.certPem).toContain('BEGIN CERTIFICATE');
    expect(self.keyPem).toContain('PRIVATE KEY');
    expect(host.requireRunning().registry.get('h-x509').authentication.x509Thumbprint.primaryThumbprint).toBe(self.thumbprint);
    const ca = await value('devices.createWithCertificate', { deviceId: 'h-x509-ca', mode: 'caSigned' });
    expect(ca.device.authenticationType).toBe('certificateAuthority');
    expect(await call('devices.createWithCertificate', { deviceId: 'h-x509', mode: 'caSigned' })).toMatchObject({ ok: false, error: { code: 'DeviceAlreadyExists', httpStatus: 409 } });
    expect(await call('devices.createWithCertificate', { deviceId: 'h-sas', mode: 'bogus' as 'caSigned' })).toMatchObject({ ok: false });
    expect(host.requireRunning().registry.find('h-sas')).toBeUndefined();
  });

  it('patches tags and desired with the etag, and answers a stale etag with PreconditionFailed 412', async () => {
    await value('devices.create', { deviceId: 't-dev' });
    const twin = await value('twin.get', { deviceId: 't-dev' });
    const updated = await value('twin.update', { deviceId: 't-dev', patch: { tags: { site: 'lab' }, desired: { interval: 5 } }, etag: twin.etag });
    expect(updated.tags).toEqual({ site: 'lab' });
    expect(updated.properties.desired).toMatchObject({ interval: 5, $version: 2 });
    expect(updated.etag).not.toBe(twin.etag);
    const stale = await call('twin.update', { deviceId: 't-dev', patch: { desired: { interval: 9 } }, etag: twin.etag });
    expect(stale).toMatchObject({ ok: false, error: { code: 'PreconditionFailed', httpStatus: 412 } });
    const rejected = await call('twin.update', { deviceId: 't-dev', patch: { desired: { 'a.b': 1 } }, etag: '*' });
    expect(rejected).toMatchObject({ ok: false, error: { code: 'ArgumentInvalid', httpStatus: 400 } });
    const replaced = await value('twin.replace', { deviceId: 't-dev', tags: {}, desired: { only: true }, etag: updated.etag });
    expect(replaced.properties.desired).toMatchObject({ only: true });
    expect(replaced.properties.desired).not.toHaveProperty('interval');
  });

  it('runs GROUP BY queries and pages with continuation tokens; bad text is a QueryError with a span', async () => {
    for (const id of ['q-1', 'q-2', 'q-3']) await value('devices.create', { deviceId: id });
    const grouped = await value('query.run', { query: 'SELECT status, COUNT() AS n FROM devices GROUP BY status' });
    expect(grouped.itemType).toBe('Raw');
    expect(grouped.items.find((row) => row.status === 'enabled')?.n).toBeGreaterThanOrEqual(3);
    const first = await value('query.run', { query: "SELECT * FROM devices WHERE STARTSWITH(deviceId, 'q-')", pageSize: 2 });
    expect(first.items).toHaveLength(2);
    expect(first.continuation).toEqual(expect.any(String));
    const second = await value('query.run', { query: "SELECT * FROM devices WHERE STARTSWITH(deviceId, 'q-')", pageSize: 2, continuation: first.continuation as string });
    expect(second.items).toHaveLength(1);
    expect(second.continuation).toBeUndefined();
    const bad = await call('query.run', { query: 'SELECT * FROM devices WHERE' });
    expect(bad).toMatchObject({ ok: false, error: { code: 'QueryError', details: { position: expect.any(Number) } } });
  });

  it('fails a method call to an offline device as the hub does', async () => {
    await value('devices.create', { deviceId: 'm-dev' });
    const result = await call('methods.invoke', { deviceId: 'm-dev', methodName: 'reboot', payload: null, responseTimeoutInSeconds: 5 });
    expect(result).toMatchObject({ ok: false, error: { code: 'DeviceNotOnline', httpStatus: 404 } });
    expect(await value('c2d.send', { deviceId: 'm-dev', body: 'hello', properties: { a: 'b' } })).toEqual({ messageId: expect.any(String) });
  });

  it('exports the registry and twins and imports them into an empty hub', async () => {
    await value('devices.create', { deviceId: 'x-dev' });
    const twin = await value('twin.get', { deviceId: 'x-dev' });
    await value('twin.update', { deviceId: 'x-dev', patch: { tags: { t: 1 }, desired: { d: 2 } }, etag: twin.etag });
    const exported = await value('emulator.export', {});
    const key = exported.devices.find((d) => d.deviceId === 'x-dev')?.authentication.symmetricKey?.primaryKey;
    const { deleted } = await value('emulator.reset', { confirm: 'reset' });
    expect(deleted).toBe(exported.devices.length);
    expect(await value('devices.list', {})).toEqual([]);
    const report = await value('emulator.import', { data: exported, overwrite: false });
    expect(report).toEqual({ created: exported.devices.length, updated: 0, failed: [] });
    const restored = await value('twin.get', { deviceId: 'x-dev' });
    expect(restored.tags).toEqual({ t: 1 });
    expect(restored.properties.desired).toMatchObject({ d: 2 });
    expect((await value('devices.get', { deviceId: 'x-dev' })).connectionString).toContain(`SharedAccessKey=${key}`);
    // X.509 identities come back as X.509, with their thumbprints (made by the devices.createWithCertificate test above).
    const selfSigned = exported.devices.find((d) => d.deviceId === 'h-x509')?.authentication;
    expect(selfSigned).toMatchObject({ type: 'selfSigned', x509Thumbprint: { primaryThumbprint: expect.stringMatching(/^[0-9A-F]{40}$/) } });
    expect(host.requireRunning().registry.get('h-x509').authentication).toMatchObject({ type: 'selfSigned', x509Thumbprint: selfSigned?.x509Thumbprint });
    expect(host.requireRunning().registry.get('h-x509-ca').authentication.type).toBe('certificateAuthority');
    const again = await value('emulator.import', { data: exported, overwrite: false });
    expect(again.failed).toHaveLength(exported.devices.length);
    expect(await call('emulator.import', { data: { format: 'other' } as never, overwrite: false })).toMatchObject({ ok: false, error: { code: 'InvalidPayload' } });
  });

  it('pushes device and twin changes in batches, coalesced per device', async () => {
    const pushes: { channel: keyof Pushes; payload: unknown }[] = [];
    const pump = new EventPump(host, (channel, payload) => pushes.push({ channel, payload }), { intervalMs: 20 });
    try {
      await value('devices.create', { deviceId: 'p-dev' });
      for (let i = 0; i < 5; i++) {
        const twin = await value('twin.get', { deviceId: 'p-dev' });
        await value('twin.update', { deviceId: 'p-dev', patch: { tags: { i } }, etag: twin.etag });
      }
      await eventually(() => pushes.some((p) => p.channel === 'twin.changed'), 2000, 'twin.changed push');
      const twinPushes = pushes.filter((p) => p.channel === 'twin.changed');
      expect(twinPushes.length).toBeLessThan(5);
      expect(twinPushes.at(-1)?.payload).toMatchObject({ deviceId: 'p-dev', sections: ['tags'], version: 6 });
      const devicePushes = pushes.filter((p) => p.channel === 'devices.changed');
      expect(devicePushes[0]?.payload).toMatchObject({ deviceId: 'p-dev', reason: 'created', device: { deviceId: 'p-dev' } });
    } finally {
      pump.dispose();
    }
  });

  it('simulates a device from a built-in profile: it registers, connects and reports; pause, stop and removal', async () => {
    const profiles = await value('simulations.profiles', {});
    expect(profiles.map((p) => p.name)).toContain('thermostat');
    expect(await call('simulations.create', { deviceId: 's-dev', profile: '../../etc/passwd' })).toMatchObject({ ok: false, error: { code: 'InvalidPayload' } });
    const created = await value('simulations.create', { deviceId: 's-dev', profile: 'thermostat' });
    expect(created).toMatchObject({ deviceId: 's-dev', profileName: 'thermostat', runState: 'running' });
    expect((await value('devices.get', { deviceId: 's-dev' })).simulated).toBe(true);
    let reported = 0;
    await eventually(
      () => {
        void value('twin.get', { deviceId: 's-dev' }).then((twin) => (reported = Number(twin.properties.reported.$version)));
        return reported > 1;
      },
      15_000,
      'the simulated thermostat reports',
    );
    expect((await value('devices.list', {})).find((d) => d.deviceId === 's-dev')).toMatchObject({ simulated: true, connectionState: 'Connected' });
    expect(await value('simulations.setApplyOnClick', { deviceId: 's-dev', on: true })).toMatchObject({ applyOnClick: { held: [] } });
    expect(await value('simulations.applyDesired', { deviceId: 's-dev' })).toMatchObject({ applyOnClick: { held: [] } });
    expect(await value('simulations.setApplyOnClick', { deviceId: 's-dev', on: false })).not.toHaveProperty('applyOnClick');
    expect(await call('simulations.applyDesired', { deviceId: 'not-simulated' })).toMatchObject({ ok: false, error: { code: 'InvalidPayload', message: 'no simulation for not-simulated' } });
    expect(await value('simulations.setRunState', { deviceId: 's-dev', runState: 'paused' })).toMatchObject({ runState: 'paused' });
    expect(await value('simulations.setRunState', { deviceId: 's-dev', runState: 'stopped' })).toMatchObject({ runState: 'stopped' });
    await value('devices.delete', { deviceId: 's-dev' });
    expect(await value('simulations.list', {})).toEqual([]);
    expect(await call('devices.get', { deviceId: 's-dev' })).toMatchObject({ ok: false, error: { code: 'DeviceNotFound' } });
  });

  it('restarts the hub with new settings and reports HubNotRunning while stopped', async () => {
    const statuses: string[] = [];
    const stop = host.onStatus((status) => statuses.push(status.status));
    const before = await value('emulator.status', {});
    const settings = await value('settings.get', {});
    expect(settings.settingsFile).toBeNull();
    await value('settings.update', { settings: { ...settings.settings, ports: { ...settings.settings.ports, mqtts: 0 } } });
    const after = await value('emulator.status', {});
    expect(after.status).toBe('Running');
    expect(after.info?.ports.mqtts).not.toBe(before.info?.ports.mqtts);
    expect(statuses).toEqual(['Stopping', 'Stopped', 'Starting', 'Running']);
    stop();
    await host.stop();
    expect(await call('devices.list', {})).toMatchObject({ ok: false, error: { code: 'HubNotRunning' } });
    expect(await value('emulator.status', {})).toMatchObject({ status: 'Stopped', info: null });
    await host.start();
  });

  it('restarts the hub with a tier from the settings and shows its quota meter; off again shows null', async () => {
    expect(await value('emulator.tierUsage', {})).toBeNull();
    const settings = await value('settings.get', {});
    await value('settings.update', { settings: { ...settings.settings, tier: { name: 'S1', units: 2 } } });
    await value('devices.create', { deviceId: 'h-tier' });
    await value('twin.get', { deviceId: 'h-tier' });
    const usage = await value('emulator.tierUsage', {});
    expect(usage).toMatchObject({ tier: 'S1', units: 2, dailyQuota: { limit: 800_000 } });
    expect(usage?.families.find((row) => row.family === 'twinUpdate')).toMatchObject({ limit: 50, windowSeconds: 1 });
    // The studio is not a device or a back end: its own calls are not counted.
    expect(usage?.families.every((row) => row.admitted === 0)).toBe(true);
    await value('settings.update', { settings: { ...settings.settings, tier: null } });
    expect(await value('emulator.tierUsage', {})).toBeNull();
  });
});
