import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { Pushes } from '../../../../main/contract/index.js';
import type { EmulatorHost } from '../../../../main/emulator-host.js';
import { EventPump } from '../../../../main/host/event-pump.js';
import { handlerCalls } from '../../../helpers/handler-calls.js';
import { connectRaw } from '../../../helpers/raw-mqtt.js';
import { startStudioHost } from '../../../helpers/studio-host.js';
import { eventually } from '../../../helpers/wait-for.js';

let host: EmulatorHost;
let dispose: () => Promise<void>;

const { call, value } = handlerCalls(() => host);

beforeAll(async () => {
  ({ host, dispose } = await startStudioHost());
});
afterAll(() => dispose());

describe('module identities and module twins through the studio channels, on a real hub', () => {
  it('creates, lists and deletes modules with the hub’s own errors; the connection string authenticates the module over MQTT', async () => {
    await value('devices.create', { deviceId: 'm-dev' });
    const created = await value('modules.create', { deviceId: 'm-dev', moduleId: 'sensor' });
    expect(created).toMatchObject({ deviceId: 'm-dev', moduleId: 'sensor', managedBy: null, connectionState: 'Disconnected', authenticationType: 'sas', twinVersion: 1 });
    expect(created.connectionString).toMatch(/^HostName=localhost;DeviceId=m-dev;ModuleId=sensor;SharedAccessKey=.+;GatewayHostName=localhost:\d+$/);
    expect(await value('modules.get', { deviceId: 'm-dev', moduleId: 'sensor' })).toEqual(created);
    expect(await call('modules.get', { deviceId: 'm-dev', moduleId: 'nope' })).toMatchObject({ ok: false, error: { code: 'ModuleNotFound', httpStatus: 404 } });
    await value('modules.create', { deviceId: 'm-dev', moduleId: 'alpha', managedBy: 'studio' });
    expect((await value('modules.list', { deviceId: 'm-dev' })).map((m) => [m.moduleId, m.managedBy])).toEqual([['alpha', 'studio'], ['sensor', null]]);

    expect(await call('modules.create', { deviceId: 'm-dev', moduleId: 'sensor' })).toMatchObject({ ok: false, error: { code: 'ModuleAlreadyExistsOnDevice', httpStatus: 409 } });
    expect(await call('modules.create', { deviceId: 'm-none', moduleId: 'x' })).toMatchObject({ ok: false, error: { code: 'DeviceNotFound', httpStatus: 404 } });
    expect(await call('modules.create', { deviceId: 'm-dev', moduleId: 'bad id' })).toMatchObject({ ok: false, error: { httpStatus: 400 } });
    expect(await call('modules.list', { deviceId: 'm-none' })).toMatchObject({ ok: false, error: { code: 'DeviceNotFound', httpStatus: 404 } });

    // The key from the studio's connection string (not the registry's) signs the module's SAS token.
    const key = /;SharedAccessKey=([^;]+)/.exec(created.connectionString)?.[1];
    expect(key).toBe(host.requireRunning().modules.get('m-dev', 'sensor').authentication.symmetricKey.primaryKey);
    const module = await connectRaw(host.requireRunning(), 'm-dev', { moduleId: 'sensor', ...(key ? { key } : {}) });
    try {
      // The hub counts the session once CONNACK went out; the studio's list reads the same tracker.
      let state: string | undefined;
      for (const start = Date.now(); state !== 'Connected' && Date.now() - start < 5000; await new Promise((resolve) => setTimeout(resolve, 20))) {
        state = (await value('modules.list', { deviceId: 'm-dev' })).find((m) => m.moduleId === 'sensor')?.connectionState;
      }
      expect(state).toBe('Connected');
      expect((await value('modules.get', { deviceId: 'm-dev', moduleId: 'sensor' })).connectionState).toBe('Connected');
    } finally {
      await module.endAsync();
    }
    await value('modules.delete', { deviceId: 'm-dev', moduleId: 'alpha' });
    expect(await call('modules.delete', { deviceId: 'm-dev', moduleId: 'alpha' })).toMatchObject({ ok: false, error: { code: 'ModuleNotFound', httpStatus: 404 } });
    expect(await call('twin.get', { deviceId: 'm-dev', moduleId: 'alpha' })).toMatchObject({ ok: false, error: { code: 'ModuleNotFound', httpStatus: 404 } });
    expect((await value('modules.list', { deviceId: 'm-dev' })).map((m) => m.moduleId)).toEqual(['sensor']);
  });

  it('reads and writes a module twin through twin.get / twin.update with its own versions and etag; 412 on a stale etag', async () => {
    await value('devices.create', { deviceId: 'mt-dev' });
    await value('modules.create', { deviceId: 'mt-dev', moduleId: 'm1' });
    const hub = host.requireRunning();
    await hub.twins.patchReported('mt-dev', { temperature: 21 }, 'm1');
    const twin = await value('twin.get', { deviceId: 'mt-dev', moduleId: 'm1' });
    expect(twin).toMatchObject({ deviceId: 'mt-dev', moduleId: 'm1', version: 2, properties: { reported: { temperature: 21, $version: 2 } } });
    expect(twin.properties.reported.$metadata).toMatchObject({ temperature: { $lastUpdated: expect.any(String) as string } });

    const written = await value('twin.update', { deviceId: 'mt-dev', moduleId: 'm1', patch: { tags: { site: 'lab' }, desired: { rate: 5 } }, etag: twin.etag });
    expect(written).toMatchObject({ moduleId: 'm1', version: 3, tags: { site: 'lab' }, properties: { desired: { rate: 5, $version: 2 } } });
    expect(await call('twin.update', { deviceId: 'mt-dev', moduleId: 'm1', patch: { desired: { rate: 6 } }, etag: twin.etag })).toMatchObject({ ok: false, error: { code: 'PreconditionFailed', httpStatus: 412 } });
    const replaced = await value('twin.replace', { deviceId: 'mt-dev', moduleId: 'm1', tags: {}, desired: { rate: 7 }, etag: written.etag });
    expect(replaced).toMatchObject({ version: 4, tags: {}, properties: { desired: { rate: 7, $version: 3 } } });
    // The same one write path: the change log names the studio as the writer of the module twin.
    expect((await value('twin.history', { deviceId: 'mt-dev', moduleId: 'm1' })).entries.at(-1)).toMatchObject({ version: 4 });
    // The device twin is its own twin.
    expect(await value('twin.get', { deviceId: 'mt-dev' })).toMatchObject({ version: 1, tags: {} });
  });

  it('pushes module twin changes with the module id, apart from the device’s, and module identity changes', async () => {
    const pushes: { channel: keyof Pushes; payload: unknown }[] = [];
    const pump = new EventPump(host, (channel, payload) => pushes.push({ channel, payload }), { intervalMs: 20 });
    try {
      await value('devices.create', { deviceId: 'mp-dev' });
      await value('modules.create', { deviceId: 'mp-dev', moduleId: 'm1' });
      const twin = await value('twin.get', { deviceId: 'mp-dev', moduleId: 'm1' });
      await value('twin.update', { deviceId: 'mp-dev', moduleId: 'm1', patch: { desired: { a: 1 } }, etag: twin.etag });
      // Coalesced per module: a create and a delete within one flush send only the delete, so wait for the first.
      await eventually(() => pushes.some((p) => p.channel === 'twin.changed'), 2000, 'module twin.changed');
      await value('modules.delete', { deviceId: 'mp-dev', moduleId: 'm1' });
      await eventually(() => pushes.some((p) => p.channel === 'modules.changed' && (p.payload as Pushes['modules.changed']).reason === 'deleted'), 2000, 'modules.changed deleted');
      expect(pushes.filter((p) => p.channel === 'twin.changed').map((p) => p.payload)).toContainEqual({ deviceId: 'mp-dev', moduleId: 'm1', sections: ['desired'], version: 2 });
      expect(pushes.filter((p) => p.channel === 'twin.changed' && (p.payload as Pushes['twin.changed']).moduleId === undefined)).toEqual([]);
      const moduleReasons = pushes.filter((p) => p.channel === 'modules.changed').map((p) => (p.payload as Pushes['modules.changed']).reason);
      expect(moduleReasons[0]).toBe('created');
      expect(moduleReasons.at(-1)).toBe('deleted');
    } finally {
      pump.dispose();
    }
  });
});
