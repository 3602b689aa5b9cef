import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { openDevice, nextDesired, type DeviceClient } from '../helpers/device-sdk.js';
import { canBind443, runServicePlan, SKIP_443_REASON } from '../helpers/service-sdk.js';
import { startLoopbackHub } from '../helpers/loopback-hub.js';
import type { TestHub } from '../helpers/start-hub.js';
import { eventually, waitForSubscription } from '../helpers/wait-for.js';

// The real `azure-iothub` package (in a child process: NODE_EXTRA_CA_CERTS, port 443) against the emulator, with the
// real `azure-iot-device` on the device side (iothub-protocol.md §5, §6, §8, §9; checklist 50-100).

const can443 = await canBind443();
// The default Amqp transport of Client always dials amqps://<host>:5671.
// 5671 on the hub's own loopback address is free whenever 443 is (see loopback-hub.ts).
const can5671 = can443;
const title = 'the real azure-iothub service SDK against the hub on port 443';

describe.skipIf(!can443)(can443 ? title : `${title} — SKIPPED: ${SKIP_443_REASON}`, () => {
  let hub: TestHub;
  const devices: DeviceClient[] = [];

  beforeAll(async () => {
    hub = await startLoopbackHub({ ports: { amqps: can5671 ? 5671 : 0 } });
  });

  afterAll(async () => {
    await Promise.all(devices.map((device) => device.close()));
    await hub?.dispose();
  });

  it('creates, gets, lists and deletes devices, and reports typed errors', async () => {
    const results = await runServicePlan(hub.hub, [
      { op: 'create', deviceId: 'reg-1' },
      { op: 'create', deviceId: 'reg-1' },
      { op: 'get', deviceId: 'reg-1' },
      { op: 'list' },
      { op: 'remove', deviceId: 'reg-1' },
      { op: 'get', deviceId: 'reg-1' },
      { op: 'getTwin', deviceId: 'never-registered' },
    ]);
    const [created, duplicate, got, listed, removed, gone, unknownTwin] = results;
    expect(created).toMatchObject({ ok: true, value: { deviceId: 'reg-1', status: 'enabled', connectionState: 'Disconnected' } });
    const device = created?.value as { authentication: { symmetricKey: { primaryKey: string } }; generationId: string };
    expect(device.authentication.symmetricKey.primaryKey).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    expect(device.generationId).toMatch(/^\d{18}$/);
    expect(duplicate).toMatchObject({ ok: false, errorName: 'DeviceAlreadyExistsError' });
    expect(got).toMatchObject({ ok: true, value: { deviceId: 'reg-1', statusUpdatedTime: '0001-01-01T00:00:00Z', cloudToDeviceMessageCount: 0 } });
    expect(listed?.value).toEqual(['reg-1']);
    expect(removed).toMatchObject({ ok: true });
    expect(gone).toMatchObject({ ok: false, errorName: 'DeviceNotFoundError' });
    expect(unknownTwin).toMatchObject({ ok: false, errorName: 'DeviceNotFoundError' });
  });

  it('updates tags and desired with twin.update, the device hears the change, and a stale etag is InvalidEtagError', async () => {
    await hub.hub.registry.create({ deviceId: 'twin-1' });
    const device = await openDevice(hub.hub, 'twin-1');
    devices.push(device);
    const twin = await device.getTwin();
    const delta = nextDesired(twin, 2);
    await waitForSubscription(hub.hub, 'twin-1', '$iothub/twin/PATCH/properties/desired/#');
    const [read, updated, stale] = await runServicePlan(hub.hub, [
      { op: 'getTwin', deviceId: 'twin-1' },
      { op: 'updateTwin', deviceId: 'twin-1', patch: { tags: { site: 'lab' }, properties: { desired: { telemetryInterval: 10 } } } },
      { op: 'updateTwinWithEtag', deviceId: 'twin-1', patch: { tags: { site: 'x' } }, etag: 'AAAAAAAAAAE=' },
    ]);
    expect(read).toMatchObject({ ok: true, value: { deviceId: 'twin-1', etag: 'AAAAAAAAAAE=', tags: {} } });
    expect(updated).toMatchObject({ ok: true, value: { tags: { site: 'lab' }, desired: { telemetryInterval: 10, $version: 2 } } });
    expect(stale).toMatchObject({ ok: false, errorName: 'InvalidEtagError' });
    expect(await delta).toMatchObject({ telemetryInterval: 10, $version: 2 });
  });

  it('pages createQuery results 2, 2, 1 over five devices and stops', async () => {
    for (const id of ['q-1', 'q-2', 'q-3', 'q-4', 'q-5']) await hub.hub.registry.create({ deviceId: id });
    const [query] = await runServicePlan(hub.hub, [
      { op: 'query', sql: "SELECT * FROM devices WHERE STARTSWITH(deviceId, 'q-')", pageSize: 2 },
    ]);
    expect(query?.value).toEqual({ pages: [2, 2, 1], ids: ['q-1', 'q-2', 'q-3', 'q-4', 'q-5'] });
  });

  it('invokes a direct method on a real device and returns its status and payload, even a 500', async () => {
    await hub.hub.registry.create({ deviceId: 'method-1' });
    await hub.hub.registry.create({ deviceId: 'method-offline' });
    const device = await openDevice(hub.hub, 'method-1');
    devices.push(device);
    device.onDeviceMethod('reboot', (request, response) => {
      void response.send(200, { rebooted: true, echo: request.payload });
    });
    device.onDeviceMethod('fail', (_request, response) => {
      void response.send(500, 'broken');
    });
    await waitForSubscription(hub.hub, 'method-1', '$iothub/methods/POST/#');
    const [ok, failing, offline] = await runServicePlan(hub.hub, [
      { op: 'invoke', deviceId: 'method-1', methodName: 'reboot', payload: { delay: 1 }, responseTimeoutInSeconds: 10 },
      { op: 'invoke', deviceId: 'method-1', methodName: 'fail', payload: null, responseTimeoutInSeconds: 10 },
      { op: 'invoke', deviceId: 'method-offline', methodName: 'reboot', payload: null, responseTimeoutInSeconds: 5 },
    ]);
    expect(ok).toMatchObject({ ok: true, value: { status: 200, payload: { rebooted: true, echo: { delay: 1 } } } });
    expect(failing).toMatchObject({ ok: true, value: { status: 500, payload: 'broken' } });
    // The hub answers 404 with the nested 404103 envelope, which the Node SDK turns into a plain Error('Not found')
    // (it only makes DeviceNotFoundError of `ErrorCode:DeviceNotFound`, iothub-protocol.md §8.4).
    expect(offline).toMatchObject({ ok: false, errorName: 'Error', message: 'Not found' });
  });

  it('delivers Client.send (AMQP over WebSockets on 443) to the device SDK and drops it from the queue on PUBACK', async () => {
    await hub.hub.registry.create({ deviceId: 'c2d-1' });
    const device = await openDevice(hub.hub, 'c2d-1');
    devices.push(device);
    const received = new Promise<{ data: string; messageId: string; color: unknown }>((resolve) => {
      device.on('message', (message) => {
        resolve({ data: message.getData().toString(), messageId: message.messageId, color: message.properties.getValue('color') });
        void device.complete(message);
      });
    });
    await waitForSubscription(hub.hub, 'c2d-1', 'devices/c2d-1/messages/devicebound/#');
    const [sent] = await runServicePlan(
      hub.hub,
      [{ op: 'send', deviceId: 'c2d-1', body: 'hello device', messageId: 'm-1', properties: { color: 'red' } }],
      { transport: 'AmqpWs' },
    );
    expect(sent).toMatchObject({ ok: true });
    expect(await received).toEqual({ data: 'hello device', messageId: 'm-1', color: 'red' });
    await eventually(() => hub.hub.c2d.pending('c2d-1').length === 0, 5000, 'C2D queue drained after PUBACK');
  });

  it('rejects the 51st pending message with DeviceMaximumQueueDepthExceededError', async () => {
    await hub.hub.registry.create({ deviceId: 'c2d-full' });
    for (let i = 0; i < 50; i++) await hub.hub.sendC2D('c2d-full', { body: `m${i}` });
    const [sent, unknown] = await runServicePlan(
      hub.hub,
      [
        { op: 'send', deviceId: 'c2d-full', body: 'one too many' },
        { op: 'send', deviceId: 'not-a-device', body: 'x' },
      ],
      { transport: 'AmqpWs' },
    );
    expect(sent).toMatchObject({ ok: false, errorName: 'DeviceMaximumQueueDepthExceededError' });
    expect(unknown).toMatchObject({ ok: false, errorName: 'DeviceNotFoundError' });
    expect(hub.hub.registry.get('c2d-full') && hub.hub.twins.getServiceTwin('c2d-full').cloudToDeviceMessageCount).toBe(50);
  });

  it.skipIf(!can5671)('sends C2D over amqps:5671 (the default Amqp transport) and returns delivery feedback', async () => {
    await hub.hub.registry.create({ deviceId: 'c2d-feedback' });
    const device = await openDevice(hub.hub, 'c2d-feedback');
    devices.push(device);
    device.on('message', (message) => void device.complete(message));
    await waitForSubscription(hub.hub, 'c2d-feedback', 'devices/c2d-feedback/messages/devicebound/#');
    const [sent, feedback] = await runServicePlan(hub.hub, [
      { op: 'send', deviceId: 'c2d-feedback', body: 'ack me', messageId: 'fb-1', ack: 'full' },
      { op: 'feedback', timeoutMs: 5000 },
    ]);
    expect(sent).toMatchObject({ ok: true });
    expect(feedback).toMatchObject({ ok: true, value: [{ originalMessageId: 'fb-1', statusCode: 'Success', deviceId: 'c2d-feedback' }] });
  });

  it('manages modules and module twins, and invokes a module method', async () => {
    await hub.hub.registry.create({ deviceId: 'edge-sdk' });
    const [added, listed, twin, removed, afterRemove] = await runServicePlan(hub.hub, [
      { op: 'addModule', deviceId: 'edge-sdk', moduleId: 'sensor' },
      { op: 'getModules', deviceId: 'edge-sdk' },
      { op: 'updateModuleTwin', deviceId: 'edge-sdk', moduleId: 'sensor', patch: { properties: { desired: { rate: 2 } } } },
      { op: 'removeModule', deviceId: 'edge-sdk', moduleId: 'sensor' },
      { op: 'getModules', deviceId: 'edge-sdk' },
    ]);
    expect(added).toMatchObject({ ok: true, value: { deviceId: 'edge-sdk', moduleId: 'sensor' } });
    expect(listed?.value).toEqual(['sensor']);
    expect(twin).toMatchObject({ ok: true, value: { moduleId: 'sensor', desired: { rate: 2, $version: 2 } } });
    expect(removed).toMatchObject({ ok: true });
    expect(afterRemove?.value).toEqual([]);
  });
});
