import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { IotHubError, type JsonObject } from '../../emulator/index.js';
import { nextDesired, openDevice, updateReported, type DeviceClient } from '../helpers/device-sdk.js';
import { rest } from '../helpers/rest-client.js';
import { startTestHub, type TestHub } from '../helpers/start-hub.js';
import { waitForSubscription } from '../helpers/wait-for.js';

// Issue 18: hub snapshots (save → change → restore gives back the exact hub, through the store, surviving a
// restart) and step-through mode (a desired notification held at the device port reaches the real
// azure-iot-device client only when released).

/** Everything a service client can read of the hub's devices: device JSON, twins (etags, versions, $metadata). */
async function serviceView(test: TestHub): Promise<string> {
  const devices = (await rest(test.hub, { method: 'GET', path: '/devices' })).json<JsonObject[]>();
  const view: JsonObject = {};
  for (const device of devices.sort((a, b) => String(a.deviceId).localeCompare(String(b.deviceId)))) {
    const id = String(device.deviceId);
    const { connectionState: _c, connectionStateUpdatedTime: _t, lastActivityTime: _l, ...identity } = device;
    const twin = (await rest(test.hub, { method: 'GET', path: `/twins/${id}` })).json<JsonObject>();
    const { connectionState: _tc, lastActivityTime: _tl, ...twinRest } = twin;
    const modules = (await rest(test.hub, { method: 'GET', path: `/devices/${id}/modules` })).json<JsonObject[]>();
    const moduleTwins: JsonObject = {};
    for (const module of modules) {
      const moduleTwin = (await rest(test.hub, { method: 'GET', path: `/twins/${id}/modules/${String(module.moduleId)}` })).json<JsonObject>();
      const { connectionState: _mc, lastActivityTime: _ml, ...moduleRest } = moduleTwin;
      moduleTwins[String(module.moduleId)] = moduleRest;
    }
    view[id] = { identity, twin: twinRest, modules: moduleTwins, history: test.hub.twins.history(id) as never };
  }
  return JSON.stringify(view);
}

describe('hub snapshots', () => {
  let test: TestHub;

  beforeAll(async () => {
    test = await startTestHub({ ports: { https: 0 } });
  });

  afterAll(async () => {
    await test?.dispose();
  });

  it('save → change → restore brings back the exact hub (twins, versions, etags, change logs), durably', async () => {
    const { hub } = test;
    await hub.registry.create({ deviceId: 'snap-a' });
    await hub.registry.create({ deviceId: 'snap-b' });
    await hub.modules.create({ deviceId: 'snap-b', moduleId: 'edge' });
    await hub.twins.updateTwin('snap-a', { tags: { location: { plant: 'Redmond43' } }, properties: { desired: { fan: true } } });
    await hub.twins.patchReported('snap-a', { fan: true, temp: 21 });
    await hub.twins.patchReported('snap-b', { connectivity: { type: 'cellular' } }, 'edge');
    await hub.c2d.send('snap-a', { body: 'hello', messageId: 'm-1' });
    const saved = await serviceView(test);
    const info = await hub.snapshots.save('lesson start');
    expect(info).toMatchObject({ name: 'lesson start', devices: 2 });

    // Change everything a lesson might: new versions, a deleted device, a new device, a deleted module.
    await hub.twins.updateTwin('snap-a', { tags: { location: { plant: 'Seattle' } }, properties: { desired: { fan: false } } });
    await hub.twins.patchReported('snap-a', { temp: 30 });
    await hub.registry.delete('snap-b');
    await hub.registry.create({ deviceId: 'snap-c' });
    expect(await serviceView(test)).not.toBe(saved);

    await hub.c2d.send('snap-a', { body: 'later', messageId: 'm-2' });
    const report = await hub.snapshots.restore('lesson start');
    expect(report).toMatchObject({ created: 1, deleted: 1, replaced: 1 });
    expect(await serviceView(test)).toBe(saved);
    expect(hub.c2d.pending('snap-a').map((message) => message.messageId)).toEqual(['m-1']);
    // A write after the restore continues from the restored version, and If-Match takes the restored etag.
    const twin = hub.twins.getServiceTwin('snap-a');
    const next = await hub.twins.updateTwin('snap-a', { tags: { step: 2 } }, String(twin.etag));
    expect(next.version).toBe(Number(twin.version) + 1);
    await hub.snapshots.restore('lesson start');

    // Through the store: a restart replays it.
    await hub.stop();
    await hub.start();
    expect(await serviceView(test)).toBe(saved);
    expect((await hub.snapshots.list()).map((entry) => entry.name)).toEqual(['lesson start']);
  });

  it('refuses bad names, unknown snapshots and damaged documents in the hub error format', async () => {
    const { hub } = test;
    await expect(hub.snapshots.save('../escape')).rejects.toMatchObject({ code: 'ArgumentInvalid', httpStatus: 400 });
    await expect(hub.snapshots.restore('nope')).rejects.toBeInstanceOf(IotHubError);
    const document = JSON.parse(JSON.stringify(hub.snapshots.capture('x'))) as JsonObject & { devices: JsonObject };
    (document.devices['snap-a'] as JsonObject).twin = { tags: {} };
    const before = await serviceView(test);
    await expect(hub.snapshots.restoreDocument(document)).rejects.toThrow(/devices\["snap-a"\]\.twin\.desired/);
    expect(await serviceView(test)).toBe(before);
  });
});

describe('step-through mode with the real device SDK', () => {
  let test: TestHub;
  let device: DeviceClient;

  beforeAll(async () => {
    test = await startTestHub();
    await test.hub.registry.create({ deviceId: 'step-1' });
    device = await openDevice(test.hub, 'step-1');
  });

  afterAll(async () => {
    await device?.close();
    await test?.dispose();
  });

  it('holds a desired patch at the device port until it is released', async () => {
    const { hub } = test;
    const twin = await device.getTwin();
    const subscribed = waitForSubscription(hub, 'step-1', '$iothub/twin/PATCH/properties/desired/#');
    const received: Record<string, unknown>[] = [];
    twin.on('properties.desired', (delta: Record<string, unknown>) => received.push(delta));
    await subscribed;
    const initial = received.length;
    hub.stepGate.configure({ enabled: true, deviceIds: ['step-1'] });

    const written = await hub.twins.updateTwin('step-1', { properties: { desired: { fan: true } } });
    const version = Number((written.properties as { desired: { $version: number } }).desired.$version);
    // The write is durable and answered, the device has not heard of it.
    expect(hub.stepGate.state.held).toMatchObject([{ kind: 'desired', deviceId: 'step-1', version, body: { fan: true, $version: version } }]);
    // A reported round trip proves the connection is live and delivering meanwhile.
    await updateReported(twin, { alive: 1 });
    expect(received.slice(initial).some((delta) => delta.$version === version)).toBe(false);

    const arrival = nextDesired(twin, version);
    expect(hub.stepGate.release().map((message) => message.version)).toEqual([version]);
    expect(await arrival).toMatchObject({ fan: true, $version: version });
    expect(hub.stepGate.state.held).toEqual([]);

    // Off: nothing is held.
    hub.stepGate.configure({ enabled: false, deviceIds: null });
    const again = await hub.twins.updateTwin('step-1', { properties: { desired: { fan: false } } });
    const direct = Number((again.properties as { desired: { $version: number } }).desired.$version);
    expect(await nextDesired(twin, direct)).toMatchObject({ fan: false });
  });
});
