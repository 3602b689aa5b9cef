import { readFile } from 'node:fs/promises';

import deviceSdk from 'azure-iot-device';
import httpTransport from 'azure-iot-device-http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createSasToken } from '../../emulator/auth/sas-token.js';
import type { HubEmulator } from '../../emulator/index.js';
import { policyToken, rest, type RestCall } from '../helpers/rest-client.js';
import { canBind443, SKIP_443_REASON } from '../helpers/service-sdk.js';
import { startLoopbackHub } from '../helpers/loopback-hub.js';
import { startTestHub, type TestHub } from '../helpers/start-hub.js';
import { eventually } from '../helpers/wait-for.js';

// The device HTTPS transport (iothub-protocol-2.md §4, checklist 144-151): the wire checked with raw requests on any
// port, then the unmodified azure-iot-device + azure-iot-device-http, which can only dial 443.

type DeviceClient = InstanceType<typeof deviceSdk.Client>;
type C2dMessage = Parameters<DeviceClient['complete']>[0];

/** A device SAS token as the device SDK signs it (`sr=<host>/devices/<id>`). */
function deviceToken(hub: HubEmulator, deviceId: string, options: { key?: string; expiresAtSeconds?: number } = {}): string {
  return createSasToken({
    resourceUri: `${hub.info.hostName}/devices/${deviceId}`,
    base64Key: options.key ?? hub.registry.get(deviceId).authentication.symmetricKey.primaryKey,
    expiresAtSeconds: options.expiresAtSeconds ?? Math.floor(Date.now() / 1000) + 3600,
  });
}

function asDevice(hub: HubEmulator, deviceId: string, call: Omit<RestCall, 'authorization'>, tokenOf = deviceId): ReturnType<typeof rest> {
  return rest(hub, { ...call, authorization: deviceToken(hub, tokenOf) });
}

describe('device HTTPS on the hub HTTPS port (raw requests)', () => {
  let hub: TestHub;

  beforeAll(async () => {
    hub = await startTestHub({ ports: { https: 0 } });
    for (const deviceId of ['raw-1', 'raw-2']) await hub.hub.registry.create({ deviceId });
    await hub.hub.registry.create({ deviceId: 'raw-off', status: 'disabled' });
  });

  afterAll(async () => {
    await hub?.dispose();
  });

  it('takes one event with iothub-app-* and system headers as telemetry with the same properties as MQTT', async () => {
    const reply = await asDevice(hub.hub, 'raw-1', {
      method: 'POST',
      path: '/devices/raw-1/messages/events',
      body: '{"t":1}',
      headers: { 'iothub-app-k': 'v', 'IoTHub-MessageId': 'm-1', 'iothub-contenttype': 'application/json', 'iothub-contentencoding': 'utf-8', 'iothub-to': '/devices/raw-1/messages/events' },
    });
    expect(reply.status).toBe(204);
    const [message] = hub.hub.telemetry.recent('raw-1');
    expect(message).toMatchObject({
      deviceId: 'raw-1',
      bodyPreview: '{"t":1}',
      properties: { system: { mid: 'm-1', ct: 'application/json', ce: 'utf-8', to: '/devices/raw-1/messages/events' }, application: { k: 'v' } },
    });
  });

  it('refuses a token of another device, a wrong key, an expired token, no token and a disabled device with 401', async () => {
    const path = '/devices/raw-1/messages/events';
    const other = await asDevice(hub.hub, 'raw-1', { method: 'POST', path, body: 'x' }, 'raw-2');
    const wrongKey = await rest(hub.hub, { method: 'POST', path, body: 'x', authorization: deviceToken(hub.hub, 'raw-1', { key: Buffer.alloc(32, 1).toString('base64') }) });
    const expired = await rest(hub.hub, { method: 'POST', path, body: 'x', authorization: deviceToken(hub.hub, 'raw-1', { expiresAtSeconds: Math.floor(Date.now() / 1000) - 1 }) });
    const none = await rest(hub.hub, { method: 'GET', path: '/devices/raw-1/messages/devicebound', authorization: null });
    const disabled = await asDevice(hub.hub, 'raw-off', { method: 'POST', path: '/devices/raw-off/messages/events', body: 'x' });
    for (const reply of [other, wrongKey, expired, none, disabled]) {
      expect(reply.status).toBe(401);
      expect(reply.headers['iothub-errorcode']).toBe('IotHubUnauthorizedAccess');
    }
    expect(hub.hub.telemetry.recent('raw-1')).toHaveLength(1);
  });

  it('takes a policy token only with DeviceConnect, and keeps device tokens off the service API', async () => {
    const devicebound = '/devices/raw-1/messages/devicebound';
    expect((await rest(hub.hub, { method: 'GET', path: devicebound, authorization: policyToken(hub.hub, 'service') })).status).toBe(401);
    expect((await rest(hub.hub, { method: 'GET', path: devicebound, authorization: policyToken(hub.hub, 'device') })).status).toBe(204);
    const serviceRoute = await asDevice(hub.hub, 'raw-1', { method: 'GET', path: '/devices/raw-1' });
    expect(serviceRoute.status).toBe(401);
  });

  it('answers 413 MessageTooLarge for a body over 256 KB and 400 for a malformed batch, keeping nothing', async () => {
    const before = hub.hub.telemetry.recent('raw-2').length;
    const big = await asDevice(hub.hub, 'raw-2', { method: 'POST', path: '/devices/raw-2/messages/events', body: Buffer.alloc(256 * 1024 + 1, 97) });
    expect(big.status).toBe(413);
    expect(big.headers['iothub-errorcode']).toBe('MessageTooLarge');
    const batch = await asDevice(hub.hub, 'raw-2', {
      method: 'POST',
      path: '/devices/raw-2/messages/events',
      body: JSON.stringify([{ body: 'YQ==' }, { body: 42 }]),
      headers: { 'content-type': 'application/vnd.microsoft.iothub.json' },
    });
    expect(batch.status).toBe(400);
    expect(hub.hub.telemetry.recent('raw-2')).toHaveLength(before);
  });

  it('receives with a quoted ETag lock token, 204 when empty, and 412 DeviceMessageLockLost for a wrong token', async () => {
    const empty = await asDevice(hub.hub, 'raw-2', { method: 'GET', path: '/devices/raw-2/messages/deviceBound' });
    expect(empty.status).toBe(204);
    await hub.hub.sendC2D('raw-2', { body: 'hello', messageId: 'c-1', correlationId: 'corr', properties: { k: 'v' } });
    const got = await asDevice(hub.hub, 'raw-2', { method: 'GET', path: '/devices/raw-2/messages/devicebound' });
    expect(got.status).toBe(200);
    expect(got.text).toBe('hello');
    expect(got.headers).toMatchObject({
      etag: expect.stringMatching(/^"[0-9a-f-]{36}"$/),
      'iothub-messageid': 'c-1',
      'iothub-correlationid': 'corr',
      'iothub-deliverycount': '1',
      'iothub-to': '/devices/raw-2/messages/devicebound',
      'iothub-app-k': 'v',
    });
    expect((await asDevice(hub.hub, 'raw-2', { method: 'GET', path: '/devices/raw-2/messages/devicebound' })).status).toBe(204);
    const lost = await asDevice(hub.hub, 'raw-2', { method: 'DELETE', path: '/devices/raw-2/messages/devicebound/not-a-lock' });
    expect(lost.status).toBe(412);
    expect(lost.headers['iothub-errorcode']).toBe('DeviceMessageLockLost');
    const lockToken = String(got.headers.etag).slice(1, -1);
    const foreign = await asDevice(hub.hub, 'raw-1', { method: 'DELETE', path: `/devices/raw-1/messages/devicebound/${lockToken}` });
    expect(foreign.status).toBe(412);
    const done = await asDevice(hub.hub, 'raw-2', { method: 'DELETE', path: `/devices/raw-2/messages/devicebound/${lockToken}`, headers: { 'if-match': lockToken } });
    expect(done.status).toBe(204);
    expect(hub.hub.c2d.pending('raw-2')).toEqual([]);
  });

  it('answers file upload as IoT Hub without a linked storage account: 400014 for the SAS URI, 400015 for a notification', async () => {
    const sas = await asDevice(hub.hub, 'raw-1', { method: 'POST', path: '/devices/raw-1/files', body: '{"blobName":"log.txt"}', headers: { 'content-type': 'application/json' } });
    expect(sas.status).toBe(400);
    expect(sas.headers['iothub-errorcode']).toBe('DefaultStorageEndpointNotConfigured');
    expect(sas.text).toContain('ErrorCode:DefaultStorageEndpointNotConfigured;');
    const notify = await asDevice(hub.hub, 'raw-1', { method: 'POST', path: '/devices/raw-1/files/notifications/abc', body: '{"isSuccess":true,"statusCode":200,"statusDescription":"ok"}' });
    expect(notify.status).toBe(400);
    expect(notify.headers['iothub-errorcode']).toBe('InvalidFileUploadCorrelationId');
    const stranger = await asDevice(hub.hub, 'raw-1', { method: 'POST', path: '/devices/raw-1/files', body: '{}' }, 'raw-2');
    expect(stranger.status).toBe(401);
  });
});

const can443 = await canBind443();
const title = 'the real azure-iot-device-http transport against the hub on port 443';

describe.skipIf(!can443)(can443 ? title : `${title} — SKIPPED: ${SKIP_443_REASON}`, () => {
  let hub: TestHub;
  let ca: string;
  const clients: DeviceClient[] = [];

  beforeAll(async () => {
    hub = await startLoopbackHub();
    ca = await readFile(hub.hub.info.caCertPath, 'utf8');
    for (const deviceId of ['http-1', 'http-2', 'http-3']) await hub.hub.registry.create({ deviceId });
  });

  afterAll(async () => {
    await Promise.all(clients.map((client) => client.close()));
    await hub?.dispose();
  });

  /**
   * An Http client trusting the hub CA, polling every second; `setOptions` replaces the options, so both go at once.
   * The default retry policy does not retry UnauthorizedError (azure-iot-common retry_error_filter), so it stays.
   */
  async function open(connectionString: string): Promise<DeviceClient> {
    const client = deviceSdk.Client.fromConnectionString(connectionString, httpTransport.Http);
    await client.setOptions({ ca, http: { receivePolicy: { interval: 1 } } });
    await client.open();
    clients.push(client);
    return client;
  }

  /** Resolves with the next C2D message the client's poller hands out. */
  function nextC2d(client: DeviceClient): Promise<C2dMessage> {
    return new Promise((resolve) => client.once('message', (message: C2dMessage) => resolve(message)));
  }

  it('sends an event with properties, id and content type that shows in the studio telemetry', async () => {
    const client = await open(hub.hub.deviceConnectionString('http-1'));
    const message = new deviceSdk.Message('{"temp":21}');
    message.messageId = 'sdk-1';
    message.contentType = 'application/json';
    message.contentEncoding = 'utf-8';
    message.properties.add('alert', 'high');
    await client.sendEvent(message);
    expect(hub.hub.telemetry.recent('http-1').at(-1)).toMatchObject({
      bodyPreview: '{"temp":21}',
      properties: { system: { mid: 'sdk-1', ct: 'application/json', ce: 'utf-8' }, application: { alert: 'high' } },
    });
  });

  it('sends a batch as one telemetry message per element, with its properties', async () => {
    const client = await open(hub.hub.deviceConnectionString('http-1'));
    const first = new deviceSdk.Message('one');
    first.properties.add('n', '1');
    await client.sendEventBatch([first, new deviceSdk.Message('two')]);
    const recent = hub.hub.telemetry.recent('http-1').slice(-2);
    expect(recent.map((message) => [message.bodyPreview, message.properties.application])).toEqual([
      ['one', { n: '1' }],
      ['two', {}],
    ]);
  });

  it('receives a C2D message by polling and completes it: it leaves the queue with Success', async () => {
    const client = await open(hub.hub.deviceConnectionString('http-2'));
    const received = nextC2d(client);
    await hub.hub.sendC2D('http-2', { body: 'on', messageId: 'c2d-1', ack: 'full', properties: { k: 'v' } });
    const message = await received;
    expect(message.data.toString()).toBe('on');
    expect(message.messageId).toBe('c2d-1');
    expect(message.lockToken).toMatch(/^[0-9a-f-]{36}$/);
    expect(message.properties.getValue('iothub-app-k')).toBe('v');
    await client.complete(message);
    expect(hub.hub.c2d.pending('http-2')).toEqual([]);
    expect(hub.hub.c2d.takeFeedback()).toMatchObject([{ originalMessageId: 'c2d-1', statusCode: 'Success' }]);
  });

  it('rejects a message (gone, feedback Rejected) and abandons one (redelivered with a higher delivery count)', async () => {
    const client = await open(hub.hub.deviceConnectionString('http-3'));
    let received = nextC2d(client);
    await hub.hub.sendC2D('http-3', { body: 'reject me', messageId: 'r-1', ack: 'full' });
    await client.reject(await received);
    expect(hub.hub.c2d.pending('http-3')).toEqual([]);
    expect(hub.hub.c2d.takeFeedback()).toMatchObject([{ originalMessageId: 'r-1', statusCode: 'Rejected' }]);

    received = nextC2d(client);
    await hub.hub.sendC2D('http-3', { body: 'abandon me', messageId: 'a-1' });
    const first = await received;
    received = nextC2d(client);
    await client.abandon(first);
    const again = await received;
    expect(again.messageId).toBe('a-1');
    expect(again.lockToken).not.toBe(first.lockToken);
    await eventually(() => hub.hub.c2d.pending('http-3')[0]?.deliveryCount === 2, 5_000, 'delivery count 2');
    await client.complete(again);
    expect(hub.hub.c2d.pending('http-3')).toEqual([]);
  });

  it('fails the SDK\'s uploadToBlob at its first step, getting the SAS URI (no storage account is linked)', async () => {
    const client = await open(hub.hub.deviceConnectionString('http-1').replace(/;GatewayHostName=[^;]+/, ''));
    const { Readable } = await import('node:stream');
    await expect(client.uploadToBlob('log.txt', Readable.from([Buffer.from('hello')]), 5)).rejects.toMatchObject({ name: 'BlobSasError', innerError: { message: 'Bad Request', responseBody: expect.stringContaining('ErrorCode:DefaultStorageEndpointNotConfigured;') as string } });
  });

  it('leaves twins and direct methods to the SDK, which refuses them over HTTP before anything reaches the wire', async () => {
    const client = await open(hub.hub.deviceConnectionString('http-1').replace(/;GatewayHostName=[^;]+/, ''));
    const mark = hub.hub.tap.snapshot().at(-1)?.id ?? 0;
    await expect(client.getTwin()).rejects.toMatchObject({ name: 'NotImplementedError' });
    // The transport's enableMethods throws, and the throw comes straight out of onDeviceMethod.
    expect(() => client.onDeviceMethod('reboot', () => undefined)).toThrow(/Direct methods are not implemented over HTTP/);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(hub.hub.tap.snapshot().filter((event) => event.id > mark && event.deviceId === 'http-1')).toEqual([]);
  });

  it('reports a wrong key as UnauthorizedError', async () => {
    const wrongKey = Buffer.alloc(32, 7).toString('base64');
    const client = await open(`HostName=${hub.hub.info.hostName};DeviceId=http-1;SharedAccessKey=${wrongKey}`);
    await expect(client.sendEvent(new deviceSdk.Message('x'))).rejects.toMatchObject({ name: 'UnauthorizedError' });
  });
});
