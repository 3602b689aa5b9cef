import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';

import deviceSdk from 'azure-iot-device';
import mqttTransport from 'azure-iot-device-mqtt';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createSasToken } from '../../emulator/auth/sas-token.js';
import { deriveDeviceKey, type EnrollmentAttestation, type HubEmulator } from '../../emulator/index.js';
import { registerWithKey, type DpsTransport, type RegistrationResult } from '../helpers/provisioning-sdk.js';
import { closedByServer, connectRaw, nextMessage } from '../helpers/raw-mqtt.js';
import { rest } from '../helpers/rest-client.js';
import { startTestHub, type TestHub } from '../helpers/start-hub.js';

// The Device Provisioning Service as the unmodified azure-iot-provisioning-device speaks it (iothub-protocol-2.md
// §2, checklist 110-123), over MQTT on the hub's MQTT/TLS port and over HTTPS on the hub's HTTPS port: symmetric-key
// individual enrollments and groups, the provisioned device connecting with azure-iot-device, re-registration,
// disabled enrollments and bad credentials.

const symmetric = { type: 'symmetricKey' as const, symmetricKey: {} };

function primaryKeyOf(attestation: EnrollmentAttestation): string {
  if (attestation.type !== 'symmetricKey') throw new Error('not a symmetric-key attestation');
  return attestation.symmetricKey.primaryKey;
}

/** Connects the provisioned device as the Node samples do: `HostName=<assignedHub>;DeviceId=…;SharedAccessKey=<same key>`. */
async function connectProvisioned(hub: HubEmulator, result: RegistrationResult, key: string) {
  const connectionString = `HostName=${result.assignedHub};DeviceId=${result.deviceId};SharedAccessKey=${key};GatewayHostName=localhost:${hub.info.ports.mqtts}`;
  const client = deviceSdk.Client.fromConnectionString(connectionString, mqttTransport.Mqtt);
  await client.setOptions({ ca: await readFile(hub.info.caCertPath, 'utf8') });
  await client.open();
  return client;
}

describe('DPS device registration with the real provisioning SDK', () => {
  let test: TestHub;
  let hub: HubEmulator;

  beforeAll(async () => {
    test = await startTestHub({ ports: { https: 0 } });
    hub = test.hub;
  });

  afterAll(async () => {
    await test?.dispose();
  });

  it.each<DpsTransport>(['Mqtt', 'MqttWs', 'Http'])('%s: an individual enrollment provisions a device that connects and sees its initial twin', async (transport) => {
    const registrationId = `ind-${transport.toLowerCase()}`;
    const enrollment = await hub.enrollments.putEnrollment({
      registrationId,
      deviceId: `${registrationId}-device`,
      attestation: symmetric,
      initialTwin: { tags: { site: 'lab', floor: 2 }, desired: { interval: 30, mode: { eco: true } } },
    });
    const key = primaryKeyOf(enrollment.attestation);
    const result = await registerWithKey(hub, transport, registrationId, key);
    expect(result).toMatchObject({ registrationId, assignedHub: hub.info.hostName, deviceId: `${registrationId}-device`, status: 'assigned', substatus: 'initialAssignment', symmetricKey: {} });
    expect(hub.registry.get(result.deviceId).authentication.symmetricKey.primaryKey).toBe(key);
    expect(hub.twins.getServiceTwin(result.deviceId)).toMatchObject({ tags: { site: 'lab', floor: 2 }, properties: { desired: { interval: 30, mode: { eco: true } } } });

    const device = await connectProvisioned(hub, result, key);
    try {
      const twin = await device.getTwin();
      expect(twin.properties.desired).toMatchObject({ interval: 30, mode: { eco: true } });
    } finally {
      await device.close();
    }
    expect(hub.enrollments.getRegistration(registrationId)).toMatchObject({ status: 'assigned', deviceId: `${registrationId}-device`, enrollmentGroupId: null });
  });

  it.each<DpsTransport>(['Mqtt', 'Http'])('%s: a group member proves itself with the derived key and connects with it', async (transport) => {
    const groupId = `group-${transport.toLowerCase()}`;
    const group = await hub.enrollments.putGroup({ enrollmentGroupId: groupId, attestation: symmetric, initialTwin: { tags: { fleet: groupId }, desired: {} } });
    const registrationId = `member-${transport.toLowerCase()}-7`;
    const derived = deriveDeviceKey(primaryKeyOf(group.attestation), registrationId);
    const result = await registerWithKey(hub, transport, registrationId, derived);
    expect(result).toMatchObject({ registrationId, deviceId: registrationId, status: 'assigned', symmetricKey: { enrollmentGroupId: groupId } });
    expect(hub.twins.getServiceTwin(registrationId)).toMatchObject({ tags: { fleet: groupId } });
    const device = await connectProvisioned(hub, result, derived);
    await device.close();
    // The group's own key is not a member's key.
    await expect(registerWithKey(hub, transport, registrationId, primaryKeyOf(group.attestation))).rejects.toMatchObject({ name: 'UnauthorizedError' });
  });

  it('registers again idempotently: same device, keys and twin, no new twin version', async () => {
    const enrollment = await hub.enrollments.putEnrollment({ registrationId: 'again-1', attestation: symmetric, initialTwin: { tags: { a: 1 }, desired: { b: 2 } } });
    const key = primaryKeyOf(enrollment.attestation);
    const first = await registerWithKey(hub, 'Mqtt', 'again-1', key);
    const device = hub.registry.get('again-1');
    const twinVersion = hub.twins.getServiceTwin('again-1').version;
    const second = await registerWithKey(hub, 'Http', 'again-1', key);
    expect(second).toMatchObject({ deviceId: first.deviceId, assignedHub: first.assignedHub, status: 'assigned', substatus: 'initialAssignment', createdDateTimeUtc: first.createdDateTimeUtc });
    expect(hub.registry.get('again-1').generationId).toBe(device.generationId);
    expect(hub.registry.get('again-1').identityVersion).toBe(device.identityVersion);
    expect(hub.twins.getServiceTwin('again-1').version).toBe(twinVersion);
  });

  it("merges the initial twin into a device that existed before its first registration, and takes the enrollment's keys", async () => {
    await hub.registry.create({ deviceId: 'pre-1' });
    await hub.twins.updateTwin('pre-1', { tags: { owner: 'ops', site: 'old' } });
    const enrollment = await hub.enrollments.putEnrollment({ registrationId: 'pre-1', attestation: symmetric, initialTwin: { tags: { site: 'new' }, desired: { on: true } } });
    const result = await registerWithKey(hub, 'Http', 'pre-1', primaryKeyOf(enrollment.attestation));
    expect(result).toMatchObject({ deviceId: 'pre-1', substatus: 'initialAssignment' });
    expect(hub.twins.getServiceTwin('pre-1')).toMatchObject({ tags: { owner: 'ops', site: 'new' }, properties: { desired: { on: true } } });
    expect(hub.registry.get('pre-1').authentication.symmetricKey.primaryKey).toBe(primaryKeyOf(enrollment.attestation));
  });

  it('resets the twin to the initial twin on re-registration when the reprovision policy says so', async () => {
    const enrollment = await hub.enrollments.putEnrollment({
      registrationId: 'reset-1',
      attestation: symmetric,
      initialTwin: { tags: { a: 1 }, desired: { b: 2 } },
      reprovisionPolicy: { updateHubAssignment: true, migrateDeviceData: false },
    });
    const key = primaryKeyOf(enrollment.attestation);
    await registerWithKey(hub, 'Mqtt', 'reset-1', key);
    await hub.twins.updateTwin('reset-1', { tags: { a: 9, extra: true }, properties: { desired: { b: 7 } } });
    const again = await registerWithKey(hub, 'Mqtt', 'reset-1', key);
    expect(again.substatus).toBe('deviceDataReset');
    const twin = hub.twins.getServiceTwin('reset-1') as { tags: unknown; properties: { desired: Record<string, unknown> } };
    expect(twin.tags).toEqual({ a: 1 });
    expect(twin.properties.desired).toMatchObject({ b: 2 });
  });

  it.each<DpsTransport>(['Mqtt', 'Http'])('%s: a disabled enrollment ends in status "disabled" and creates no device', async (transport) => {
    const registrationId = `off-${transport.toLowerCase()}`;
    const enrollment = await hub.enrollments.putEnrollment({ registrationId, attestation: symmetric, provisioningStatus: 'disabled' });
    const error = (await registerWithKey(hub, transport, registrationId, primaryKeyOf(enrollment.attestation)).catch((caught: unknown) => caught)) as Error & { result?: Record<string, unknown> };
    // DPS reports "disabled" as the operation's status (docs: "Result status: Disabled"); the Node client has no
    // branch for it and rejects with the result attached.
    expect(error).toBeInstanceOf(Error);
    expect(error.message).toBe('status is disabled');
    expect(error.result).toMatchObject({ status: 'disabled', registrationState: { registrationId, status: 'disabled' } });
    expect(hub.registry.find(registrationId)).toBeUndefined();
    expect(hub.enrollments.getRegistration(registrationId).status).toBe('disabled');
  });

  it('a disabled individual enrollment blocks a device that its group would accept', async () => {
    const group = await hub.enrollments.putGroup({ enrollmentGroupId: 'blocking-group', attestation: symmetric });
    const derived = deriveDeviceKey(primaryKeyOf(group.attestation), 'blocked-1');
    await hub.enrollments.putEnrollment({ registrationId: 'blocked-1', attestation: { type: 'symmetricKey', symmetricKey: { primaryKey: derived } }, provisioningStatus: 'disabled' });
    await expect(registerWithKey(hub, 'Mqtt', 'blocked-1', derived)).rejects.toMatchObject({ result: { status: 'disabled' } });
    expect(hub.registry.find('blocked-1')).toBeUndefined();
  });

  it.each<DpsTransport>(['Mqtt', 'MqttWs', 'Http'])('%s: a wrong key, an unknown registration id and a wrong id scope are refused with 401', async (transport) => {
    await hub.enrollments.putEnrollment({ registrationId: `badsas-${transport}`, attestation: symmetric });
    const wrongKey = Buffer.alloc(32, 7).toString('base64');
    await expect(registerWithKey(hub, transport, `badsas-${transport}`, wrongKey)).rejects.toMatchObject({ name: 'UnauthorizedError' });
    await expect(registerWithKey(hub, transport, 'nobody-enrolled', wrongKey)).rejects.toMatchObject({ name: 'UnauthorizedError' });
    const enrollment = hub.enrollments.getEnrollment(`badsas-${transport}`);
    await expect(registerWithKey(hub, transport, `badsas-${transport}`, primaryKeyOf(enrollment.attestation), { idScope: '0ne00000000' })).rejects.toMatchObject({ name: 'UnauthorizedError' });
    expect(hub.registry.find(`badsas-${transport}`)).toBeUndefined();
  });
});

describe('DPS custom allocation through a webhook', () => {
  let test: TestHub;
  let hub: HubEmulator;
  let webhook: Server;
  let webhookUrl: string;
  const received: Record<string, unknown>[] = [];
  let answer: { status: number; body: unknown } = { status: 200, body: {} };

  beforeAll(async () => {
    test = await startTestHub({ ports: { https: 0 } });
    hub = test.hub;
    webhook = createServer((request, response) => {
      let text = '';
      request.on('data', (chunk: Buffer) => (text += chunk.toString()));
      request.on('end', () => {
        received.push(JSON.parse(text) as Record<string, unknown>);
        response.writeHead(answer.status, { 'content-type': 'application/json' });
        response.end(JSON.stringify(answer.body));
      });
    });
    await new Promise<void>((resolve) => webhook.listen(0, '127.0.0.1', resolve));
    const address = webhook.address();
    webhookUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/allocate?code=secret`;
  });

  afterAll(async () => {
    await new Promise((resolve) => webhook?.close(resolve));
    await test?.dispose();
  });

  it("sends the device's payload to the webhook, applies its initial twin and returns its payload to the device", async () => {
    const group = await hub.enrollments.putGroup({
      enrollmentGroupId: 'custom-group',
      attestation: symmetric,
      allocationPolicy: 'custom',
      customAllocationDefinition: { webhookUrl, apiVersion: '2021-10-01' },
      initialTwin: { tags: { from: 'enrollment' }, desired: {} },
    });
    answer = { status: 200, body: { iotHubHostName: hub.info.hostName, initialTwin: { tags: { from: 'webhook' }, properties: { desired: { mode: 'eco' } } }, payload: { answer: 42 } } };
    const derived = deriveDeviceKey(primaryKeyOf(group.attestation), 'custom-1');
    const result = await registerWithKey(hub, 'Mqtt', 'custom-1', derived, { payload: { modelId: 'dtmi:x;1' } });
    expect(result).toMatchObject({ status: 'assigned', deviceId: 'custom-1', payload: { answer: 42 } });
    expect(received.at(-1)).toMatchObject({ enrollmentGroup: { enrollmentGroupId: 'custom-group' }, deviceRuntimeContext: { registrationId: 'custom-1', payload: { modelId: 'dtmi:x;1' } }, linkedHubs: [hub.info.hostName] });
    expect(hub.twins.getServiceTwin('custom-1')).toMatchObject({ tags: { from: 'webhook' }, properties: { desired: { mode: 'eco' } } });
  });

  it('ends in "failed" with DPS\'s custom-allocation codes when the webhook fails, and creates no device', async () => {
    const enrollment = await hub.enrollments.putEnrollment({ registrationId: 'custom-2', attestation: symmetric, allocationPolicy: 'custom', customAllocationDefinition: { webhookUrl, apiVersion: '2021-10-01' } });
    for (const [status, body, code] of [[500, {}, 400207], [401, {}, 400209], [200, { payload: 1 }, 400208]] as const) {
      answer = { status, body };
      const error = (await registerWithKey(hub, 'Http', 'custom-2', primaryKeyOf(enrollment.attestation)).catch((caught: unknown) => caught)) as Error & { result?: unknown };
      expect(error.name).toBe('ProvisioningRegistrationFailedError');
      expect(error.result).toMatchObject({ status: 'failed', registrationState: { status: 'failed', errorCode: code } });
    }
    expect(hub.registry.find('custom-2')).toBeUndefined();
  });
});

describe('DPS on the hub HTTPS listener (raw requests)', () => {
  let test: TestHub;
  let hub: HubEmulator;

  beforeAll(async () => {
    test = await startTestHub({ ports: { https: 0 } });
    hub = test.hub;
  });

  afterAll(async () => {
    await test?.dispose();
  });

  function registrationToken(registrationId: string, key: string): string {
    return createSasToken({ resourceUri: `${hub.info.provisioning.idScope}/registrations/${registrationId}`, base64Key: key, expiresAtSeconds: Math.floor(Date.now() / 1000) + 600, policyName: 'registration' });
  }

  it('answers register with 202, Retry-After and an operation id, and the poll with 200 and the registration state', async () => {
    const enrollment = await hub.enrollments.putEnrollment({ registrationId: 'http-raw', attestation: symmetric });
    const authorization = registrationToken('http-raw', primaryKeyOf(enrollment.attestation));
    const scope = hub.info.provisioning.idScope;
    const accepted = await rest(hub, { method: 'PUT', path: `/${scope}/registrations/http-raw/register`, body: { registrationId: 'http-raw' }, authorization });
    expect(accepted.status).toBe(202);
    expect(accepted.headers['retry-after']).toBe('1');
    const { operationId } = accepted.json<{ operationId: string }>();
    await new Promise((resolve) => setTimeout(resolve, 200));
    const done = await rest(hub, { method: 'GET', path: `/${scope}/registrations/http-raw/operations/${operationId}`, body: '{}', authorization });
    expect(done.status).toBe(200);
    expect(done.json()).toMatchObject({ operationId, status: 'assigned', registrationState: { deviceId: 'http-raw', assignedHub: hub.info.hostName } });
    const lookup = await rest(hub, { method: 'POST', path: `/${scope}/registrations/http-raw`, body: { registrationId: 'http-raw' }, authorization });
    expect(lookup.status).toBe(200);
    expect(lookup.json()).toMatchObject({ registrationId: 'http-raw', status: 'assigned', deviceId: 'http-raw' });
  });

  it('assigns concurrent registrations of many devices, and of one device several times, consistently', async () => {
    const group = await hub.enrollments.putGroup({ enrollmentGroupId: 'crowd', attestation: symmetric, initialTwin: { tags: { crowd: true }, desired: {} } });
    const scope = hub.info.provisioning.idScope;
    const register = async (id: string): Promise<Record<string, unknown>> => {
      const authorization = registrationToken(id, deriveDeviceKey(primaryKeyOf(group.attestation), id));
      const { operationId } = (await rest(hub, { method: 'PUT', path: `/${scope}/registrations/${id}/register`, body: { registrationId: id }, authorization })).json<{ operationId: string }>();
      for (let attempt = 0; attempt < 200; attempt++) {
        await new Promise((resolve) => setTimeout(resolve, 25));
        const poll = await rest(hub, { method: 'GET', path: `/${scope}/registrations/${id}/operations/${operationId}`, authorization });
        if (poll.status === 200) return poll.json();
      }
      throw new Error(`${id} was never assigned`);
    };
    const ids = [...Array.from({ length: 20 }, (_, i) => `crowd-${i}`), ...Array.from({ length: 5 }, () => 'crowd-same')];
    const results = await Promise.all(ids.map(register));
    expect(results.every((result) => result.status === 'assigned')).toBe(true);
    for (const id of new Set(ids)) expect(hub.twins.getServiceTwin(id)).toMatchObject({ tags: { crowd: true }, version: 2 });
    expect(hub.enrollments.getRegistration('crowd-same')).toMatchObject({ status: 'assigned', substatus: 'initialAssignment' });
  });

  it('refuses a bad SAS with 401, x-ms-error-code and the DPS error body', async () => {
    await hub.enrollments.putEnrollment({ registrationId: 'http-bad', attestation: symmetric });
    const refused = await rest(hub, { method: 'PUT', path: `/${hub.info.provisioning.idScope}/registrations/http-bad/register`, body: {}, authorization: registrationToken('http-bad', Buffer.alloc(32, 3).toString('base64')) });
    expect(refused.status).toBe(401);
    expect(refused.headers['x-ms-error-code']).toBe('401002');
    expect(refused.json()).toEqual({ errorCode: 401002, trackingId: expect.any(String), message: expect.any(String), timestampUtc: expect.any(String) });
  });

  it('leaves hub paths that look like DPS paths to the hub', async () => {
    await hub.registry.create({ deviceId: 'registrations' });
    const created = await rest(hub, { method: 'PUT', path: '/devices/registrations/modules/register', body: { moduleId: 'register' } });
    expect(created.status).toBe(200);
    expect(hub.modules.get('registrations', 'register').moduleId).toBe('register');
  });
});

describe('DPS sessions on the hub MQTT listener (raw MQTT)', () => {
  let test: TestHub;
  let hub: HubEmulator;

  beforeAll(async () => {
    test = await startTestHub();
    hub = test.hub;
  });

  afterAll(async () => {
    await test?.dispose();
  });

  async function dpsClient(registrationId: string, key: string) {
    const idScope = hub.info.provisioning.idScope;
    const client = mqtt.connect({
      host: '127.0.0.1',
      port: hub.info.ports.mqtts,
      protocol: 'mqtts',
      ca: await readFile(hub.info.caCertPath, 'utf8'),
      servername: 'localhost',
      clientId: registrationId,
      username: `${idScope}/registrations/${registrationId}/api-version=2019-03-31&ClientVersion=raw`,
      password: createSasToken({ resourceUri: `${idScope}/registrations/${registrationId}`, base64Key: key, expiresAtSeconds: Math.floor(Date.now() / 1000) + 600, policyName: 'registration' }),
      reconnectPeriod: 0,
      clean: true,
    });
    await new Promise<void>((resolve, reject) => {
      client.once('connect', () => resolve());
      client.once('error', reject);
    });
    return client;
  }

  it('answers register and poll on $dps/registrations/res/<status>/ with the $rid, retry-after and valid JSON', async () => {
    const enrollment = await hub.enrollments.putEnrollment({ registrationId: 'raw-1', attestation: symmetric });
    const client = await dpsClient('raw-1', primaryKeyOf(enrollment.attestation));
    try {
      const granted = await client.subscribeAsync('$dps/registrations/res/#', { qos: 1 });
      expect(granted[0]?.qos).toBe(1);
      const accepted = nextMessage(client, /^\$dps\/registrations\/res\//);
      await client.publishAsync('$dps/registrations/PUT/iotdps-register/?$rid=r-1', '{"registrationId":"raw-1"}', { qos: 1 });
      const first = await accepted;
      expect(first.topic).toBe('$dps/registrations/res/202/?$rid=r-1&retry-after=1');
      expect(first.qos).toBe(1);
      const operation = JSON.parse(first.payload) as { operationId: string; status: string };
      expect(operation).toEqual({ operationId: expect.stringMatching(/^5\.[0-9a-f]{16}\./), status: 'assigning' });
      await new Promise((resolve) => setTimeout(resolve, 200));
      const done = nextMessage(client, /^\$dps\/registrations\/res\//);
      await client.publishAsync(`$dps/registrations/GET/iotdps-get-operationstatus/?$rid=r-2&operationId=${operation.operationId}`, ' ', { qos: 1 });
      const final = await done;
      expect(final.topic).toBe('$dps/registrations/res/200/?$rid=r-2');
      expect(JSON.parse(final.payload)).toMatchObject({ operationId: operation.operationId, status: 'assigned', registrationState: { registrationId: 'raw-1', deviceId: 'raw-1', assignedHub: hub.info.hostName, status: 'assigned', substatus: 'initialAssignment' } });
      const unknown = nextMessage(client, /^\$dps\/registrations\/res\//);
      await client.publishAsync('$dps/registrations/GET/iotdps-get-operationstatus/?$rid=r-3&operationId=nope', ' ', { qos: 1 });
      const missing = await unknown;
      expect(missing.topic).toBe('$dps/registrations/res/404/?$rid=r-3');
      expect(JSON.parse(missing.payload)).toMatchObject({ errorCode: 404204, trackingId: expect.any(String), message: expect.any(String), timestampUtc: expect.any(String) });
    } finally {
      await client.endAsync();
    }
  });

  it('answers a bad SAS with res/401 and errorCode 401002', async () => {
    await hub.enrollments.putEnrollment({ registrationId: 'raw-bad', attestation: symmetric });
    const client = await dpsClient('raw-bad', Buffer.alloc(32, 1).toString('base64'));
    try {
      await client.subscribeAsync('$dps/registrations/res/#', { qos: 1 });
      const reply = nextMessage(client, /^\$dps\/registrations\/res\//);
      await client.publishAsync('$dps/registrations/PUT/iotdps-register/?$rid=x', '{"registrationId":"raw-bad"}', { qos: 1 });
      const refused = await reply;
      expect(refused.topic).toBe('$dps/registrations/res/401/?$rid=x');
      expect(JSON.parse(refused.payload)).toMatchObject({ errorCode: 401002 });
    } finally {
      await client.endAsync();
    }
  });

  it('keeps a DPS session to $dps topics, and it neither counts as the device connected nor takes over its hub connection', async () => {
    const enrollment = await hub.enrollments.putEnrollment({ registrationId: 'confined-1', attestation: symmetric });
    const key = primaryKeyOf(enrollment.attestation);
    await hub.registry.create({ deviceId: 'confined-1', authentication: { symmetricKey: { primaryKey: key, secondaryKey: key } } });
    const device = await connectRaw(hub, 'confined-1', { key, clean: true });
    const session = await dpsClient('confined-1', key);
    try {
      expect(device.connected).toBe(true);
      const refusal = (await session.subscribeAsync(['$iothub/twin/res/#', 'devices/confined-1/messages/devicebound/#', '$dps/registrations/res/#'], { qos: 1 }).catch((error: unknown) => error)) as { packet?: { granted?: number[] } };
      expect(refusal.packet?.granted).toEqual([128, 128, 1]);
      const closed = closedByServer(session);
      session.publish('devices/confined-1/messages/events/', 'hello', { qos: 1 });
      await closed;
      expect(hub.telemetry.recent('confined-1')).toEqual([]);
      expect(device.connected).toBe(true);
    } finally {
      session.end(true);
      await device.endAsync();
    }
  });
});
