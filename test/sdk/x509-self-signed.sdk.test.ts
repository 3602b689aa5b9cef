import { readFile } from 'node:fs/promises';
import { request } from 'node:https';

import deviceSdk from 'azure-iot-device';
import mqttTransport from 'azure-iot-device-mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { issueDeviceCertificate, type IssuedCertificate } from '../../emulator/certs/device-certificates.js';
import type { HubEmulator } from '../../emulator/index.js';
import { openDevice } from '../helpers/device-sdk.js';
import { rest } from '../helpers/rest-client.js';
import { startLoopbackHub } from '../helpers/loopback-hub.js';
import { startTestHub, type TestHub } from '../helpers/start-hub.js';
import { eventually, waitForTraffic } from '../helpers/wait-for.js';
import { canBind443, SKIP_443_REASON } from '../helpers/service-sdk.js';
import { portForcingAgent } from '../helpers/port-agent.js';
import { openOutcome, openX509Device, x509Client, x509Connack } from '../helpers/x509-device.js';

// Self-signed X.509 devices (iothub-protocol-2.md §1, checklist 101-104, 108) with the unmodified azure-iot-device +
// azure-iot-device-mqtt (`x509=true`, cert/key through setOptions) over MQTT/TLS and MQTT over WebSockets, on the
// same listeners SAS devices use.

const DAY = 24 * 60 * 60 * 1000;

/** The refusal the hub recorded for the last refused CONNECT of `deviceId` (traffic view and hub log). */
async function refusal(hub: HubEmulator, deviceId: string, after: number): Promise<{ status: number | undefined; payload: string }> {
  const event = await waitForTraffic(hub, (candidate) => candidate.kind === 'connect' && candidate.deviceId === deviceId && candidate.id > after && candidate.status !== 0);
  return { status: event.status, payload: event.payload };
}

function lastTrafficId(hub: HubEmulator): number {
  return hub.tap.snapshot().at(-1)?.id ?? -1;
}

describe('X.509 self-signed devices over MQTT and MQTT/WebSockets (real SDK, real TLS)', () => {
  let hub: TestHub;
  let first: IssuedCertificate;
  let second: IssuedCertificate;
  let stranger: IssuedCertificate;
  let expired: IssuedCertificate;
  let future: IssuedCertificate;
  const logged: string[] = [];

  beforeAll(async () => {
    const logger = { error: () => undefined, warn: () => undefined, debug: () => undefined, info: (message: string) => void logged.push(message) };
    hub = await startTestHub({ ports: { https: 0 }, logger });
    const now = new Date();
    [first, second, stranger, expired, future] = await Promise.all([
      issueDeviceCertificate('cert-one', { now }),
      issueDeviceCertificate('cert-two', { now }),
      issueDeviceCertificate('stranger', { now }),
      issueDeviceCertificate('old', { now, notBefore: new Date(now.getTime() - 30 * DAY), notAfter: new Date(now.getTime() - DAY) }),
      issueDeviceCertificate('early', { now, notBefore: new Date(now.getTime() + DAY), notAfter: new Date(now.getTime() + 30 * DAY) }),
    ]);
    const selfSigned = (primary: string, secondary: string | null = null) => ({ type: 'selfSigned' as const, x509Thumbprint: { primaryThumbprint: primary, secondaryThumbprint: secondary } });
    await hub.hub.registry.create({ deviceId: 'x-dev', authentication: selfSigned(first.thumbprint, second.thumbprint) });
    // SHA-256, lower case with colons: compared as IoT Hub does (case and separators ignored).
    const colonSha256 = first.thumbprint256.toLowerCase().match(/../g)?.join(':') ?? '';
    await hub.hub.registry.create({ deviceId: 'x-sha256', authentication: selfSigned(colonSha256) });
    await hub.hub.registry.create({ deviceId: 'x-roll', authentication: selfSigned(first.thumbprint) });
    await hub.hub.registry.create({ deviceId: 'x-dates', authentication: selfSigned(expired.thumbprint, future.thumbprint) });
    await hub.hub.registry.create({ deviceId: 'x-off', status: 'disabled', authentication: selfSigned(first.thumbprint) });
    await hub.hub.registry.create({ deviceId: 'sas-dev' });
    await hub.hub.modules.create({ deviceId: 'x-dev', moduleId: 'x-mod', authentication: selfSigned(second.thumbprint) });
  });
  afterAll(async () => {
    await hub?.dispose();
  });

  it('connects with the primary certificate over MQTT/TLS: telemetry and twin work, the connection counts as Connected', async () => {
    const client = await openX509Device(hub.hub, 'x-dev', first, 'Mqtt');
    try {
      await client.sendEvent(new deviceSdk.Message('{"x509":1}'));
      await eventually(() => hub.hub.telemetry.recent('x-dev').some((message) => message.bodyPreview === '{"x509":1}'), 5000, 'telemetry');
      const twin = await client.getTwin();
      expect(twin.properties.desired.$version).toBe(1);
      expect(hub.hub.registry.get('x-dev').authentication.type).toBe('selfSigned');
      await eventually(() => hub.hub.registry.runtime('x-dev').connectionState === 'Connected', 5000, 'Connected');
    } finally {
      await client.close();
    }
  });

  it('connects with the secondary certificate over MQTT over WebSockets', async () => {
    const client = await openX509Device(hub.hub, 'x-dev', second, 'MqttWs');
    try {
      await client.sendEvent(new deviceSdk.Message('{"ws":true}'));
      await eventually(() => hub.hub.telemetry.recent('x-dev').some((message) => message.bodyPreview === '{"ws":true}'), 5000, 'telemetry over wss');
    } finally {
      await client.close();
    }
  });

  it('accepts a stored SHA-256 thumbprint written in lower case with colons', async () => {
    expect(await openOutcome(hub.hub, 'x-sha256', first, 'Mqtt')).toBe('connected');
    expect(await openOutcome(hub.hub, 'x-sha256', second, 'Mqtt')).toBe('UnauthorizedError');
  });

  it('authenticates a module with its own thumbprint (client id <device>/<module>, no password)', async () => {
    expect(await x509Connack(hub.hub, 'x-dev/x-mod', second)).toBe(0);
    expect(await x509Connack(hub.hub, 'x-dev/x-mod', first)).toBe(5);
  });

  it('serves the SDK ModuleClient with an X509AuthenticationProvider (ModuleClient.fromConnectionString refuses x509=true)', async () => {
    const provider = new deviceSdk.X509AuthenticationProvider({
      host: `localhost:${hub.hub.info.ports.mqtts}`,
      deviceId: 'x-dev',
      moduleId: 'x-mod',
      x509: { cert: second.certPem, key: second.keyPem },
    } as ConstructorParameters<typeof deviceSdk.X509AuthenticationProvider>[0]);
    const module = deviceSdk.ModuleClient.fromAuthenticationProvider(provider, mqttTransport.Mqtt);
    await module.setOptions({ ca: await readFile(hub.hub.info.caCertPath, 'utf8') });
    await module.open();
    try {
      const twin = await module.getTwin();
      expect(twin.properties.desired.$version).toBe(1);
      await eventually(() => hub.hub.modules.runtime('x-dev', 'x-mod').connectionState === 'Connected', 5000, 'module Connected');
    } finally {
      await module.close();
    }
  });

  it('rolls a certificate over without downtime: the live connection outlasts both identity updates, then the new certificate connects and the old one no longer does', async () => {
    expect(await openOutcome(hub.hub, 'x-roll', second, 'Mqtt')).toBe('UnauthorizedError');
    const old = await openX509Device(hub.hub, 'x-roll', first, 'Mqtt');
    try {
      // Step 1: the new certificate as secondary (both work); step 2: the new one primary, the old one removed.
      await hub.hub.registry.update({ deviceId: 'x-roll', authentication: { type: 'selfSigned', x509Thumbprint: { primaryThumbprint: first.thumbprint, secondaryThumbprint: second.thumbprint } } });
      await hub.hub.registry.update({ deviceId: 'x-roll', authentication: { type: 'selfSigned', x509Thumbprint: { primaryThumbprint: second.thumbprint, secondaryThumbprint: null } } });
      expect(hub.hub.registry.get('x-roll').authentication.x509Thumbprint).toEqual({ primaryThumbprint: second.thumbprint, secondaryThumbprint: null });
      // The connection opened with the old certificate is untouched by the identity updates.
      await old.sendEvent(new deviceSdk.Message('{"still":"here"}'));
      await eventually(() => hub.hub.telemetry.recent('x-roll').some((message) => message.bodyPreview === '{"still":"here"}'), 5000, 'old connection telemetry');
      expect(hub.hub.registry.runtime('x-roll').connectionState).toBe('Connected');
    } finally {
      await old.close();
    }
    // A new connection takes the device's one MQTT session: open it after the old one is gone, as a device would.
    expect(await openOutcome(hub.hub, 'x-roll', second, 'MqttWs')).toBe('connected');
    expect(await openOutcome(hub.hub, 'x-roll', first, 'Mqtt')).toBe('UnauthorizedError');
  });

  it('accepts both certificates while both thumbprints are registered (the middle of a rollover)', async () => {
    await hub.hub.registry.create({ deviceId: 'x-both', authentication: { type: 'selfSigned', x509Thumbprint: { primaryThumbprint: first.thumbprint, secondaryThumbprint: second.thumbprint256 } } });
    expect(await openOutcome(hub.hub, 'x-both', first, 'Mqtt')).toBe('connected');
    expect(await openOutcome(hub.hub, 'x-both', second, 'Mqtt')).toBe('connected');
  });

  it('refuses a thumbprint mismatch with CONNACK 5 (UnauthorizedError on Mqtt and MqttWs) and names both hashes in the log', async () => {
    const mark = lastTrafficId(hub.hub);
    expect(await openOutcome(hub.hub, 'x-dev', stranger, 'Mqtt')).toBe('UnauthorizedError');
    const seen = await refusal(hub.hub, 'x-dev', mark);
    expect(seen.status).toBe(5);
    expect(seen.payload).toContain('thumbprint mismatch');
    expect(seen.payload).toContain(`SHA1Hash=${stranger.thumbprint}`);
    expect(seen.payload).toContain(`SHA2Hash=${stranger.thumbprint256}`);
    expect(logged.some((line) => line.includes('CONNECT refused (5') && line.includes('thumbprint mismatch'))).toBe(true);
    expect(await openOutcome(hub.hub, 'x-dev', stranger, 'MqttWs')).toBe('UnauthorizedError');
  });

  it('refuses an expired and a not-yet-valid certificate even when its thumbprint is registered', async () => {
    let mark = lastTrafficId(hub.hub);
    expect(await openOutcome(hub.hub, 'x-dates', expired, 'Mqtt')).toBe('UnauthorizedError');
    expect((await refusal(hub.hub, 'x-dates', mark)).payload).toMatch(/expired on/);
    mark = lastTrafficId(hub.hub);
    expect(await openOutcome(hub.hub, 'x-dates', future, 'Mqtt')).toBe('UnauthorizedError');
    expect((await refusal(hub.hub, 'x-dates', mark)).payload).toMatch(/not yet valid/);
  });

  it('refuses no certificate, an unregistered device and a SAS device with CONNACK 5, a disabled device with CONNACK 3', async () => {
    let mark = lastTrafficId(hub.hub);
    expect(await x509Connack(hub.hub, 'x-dev', undefined)).toBe(5);
    expect((await refusal(hub.hub, 'x-dev', mark)).payload).toMatch(/no SAS token and no client certificate/);
    expect(await openOutcome(hub.hub, 'nobody', first, 'Mqtt')).toBe('UnauthorizedError');
    mark = lastTrafficId(hub.hub);
    expect(await openOutcome(hub.hub, 'sas-dev', first, 'Mqtt')).toBe('UnauthorizedError');
    expect((await refusal(hub.hub, 'sas-dev', mark)).payload).toMatch(/authenticates with SAS keys/);
    mark = lastTrafficId(hub.hub);
    expect(await x509Connack(hub.hub, 'x-off', first)).toBe(3);
    expect((await refusal(hub.hub, 'x-off', mark)).payload).toMatch(/disabled/);
  });

  it('refuses a SAS token made with the empty keys an X.509 identity stores', async () => {
    const { createSasToken } = await import('../../emulator/auth/sas-token.js');
    const password = createSasToken({ resourceUri: `${hub.hub.info.hostName}/devices/x-dev`, base64Key: '', expiresAtSeconds: Math.floor(Date.now() / 1000) + 600 });
    const mqtt = await import('mqtt');
    const code = await new Promise<number>((resolve) => {
      void readFile(hub.hub.info.caCertPath, 'utf8').then((ca) => {
        const client = mqtt.default.connect({ host: '127.0.0.1', port: hub.hub.info.ports.mqtts, protocol: 'mqtts', ca, servername: 'localhost', clientId: 'x-dev', username: 'localhost/x-dev/?api-version=2021-04-12', password, reconnectPeriod: 0 });
        client.once('connect', () => (client.end(true), resolve(0)));
        client.once('error', (error) => (client.end(true), resolve((error as { code?: number }).code ?? -1)));
      });
    });
    expect(code).toBe(5);
  });

  it('still serves SAS devices on the same MQTT/TLS and WebSocket listeners (the certificate is requested, not required)', async () => {
    for (const transport of ['Mqtt', 'MqttWs'] as const) {
      const client = transport === 'Mqtt' ? await openDevice(hub.hub, 'sas-dev') : await openSasOverWs(hub.hub, 'sas-dev');
      await client.sendEvent(new deviceSdk.Message(`{"sas":"${transport}"}`));
      await client.close();
    }
    expect(hub.hub.telemetry.recent('sas-dev').map((message) => message.bodyPreview)).toEqual(expect.arrayContaining(['{"sas":"Mqtt"}', '{"sas":"MqttWs"}']));
  });

  it('round-trips X.509 identities over REST (checklist 109): thumbprints kept, CA identities without them, bad thumbprints 400', async () => {
    const put = (deviceId: string, authentication: object) => rest(hub.hub, { method: 'PUT', path: `/devices/${deviceId}`, body: { deviceId, authentication } });
    const self = await put('rest-self', { type: 'selfSigned', x509Thumbprint: { primaryThumbprint: first.thumbprint, secondaryThumbprint: second.thumbprint256 } });
    expect(self.status).toBe(200);
    const got = (await rest(hub.hub, { method: 'GET', path: '/devices/rest-self' })).json<{ authentication: object }>();
    expect(got.authentication).toEqual({ type: 'selfSigned', symmetricKey: { primaryKey: null, secondaryKey: null }, x509Thumbprint: { primaryThumbprint: first.thumbprint, secondaryThumbprint: second.thumbprint256 } });
    const ca = (await put('rest-ca', { type: 'certificateAuthority' })).json<{ authentication: object }>();
    expect(ca.authentication).toMatchObject({ type: 'certificateAuthority', x509Thumbprint: { primaryThumbprint: null, secondaryThumbprint: null } });
    const bad = await put('rest-bad', { type: 'selfSigned', x509Thumbprint: { primaryThumbprint: 'not-hex' } });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('ArgumentInvalid');
    expect(await openOutcome(hub.hub, 'rest-self', second, 'Mqtt')).toBe('connected');
  });

  it('accepts X.509 on device HTTPS: no Authorization header, the certificate in the handshake → 204; a wrong one → 401', async () => {
    const post = (credential: IssuedCertificate) => httpsEvent(hub.hub, 'x-dev', credential, '{"https":true}');
    expect(await post(first)).toMatchObject({ status: 204 });
    expect(hub.hub.telemetry.recent('x-dev').some((message) => message.bodyPreview === '{"https":true}')).toBe(true);
    const refused = await post(stranger);
    expect(refused.status).toBe(401);
    expect(refused.body).toContain('IotHubUnauthorizedAccess');
  });
});

async function openSasOverWs(hub: HubEmulator, deviceId: string) {
  const connectionString = hub.deviceConnectionString(deviceId).replace(/;GatewayHostName=[^;]+/, '');
  const client = deviceSdk.Client.fromConnectionString(connectionString, mqttTransport.MqttWs);
  await client.setOptions({ ca: await readFile(hub.info.caCertPath, 'utf8'), mqtt: { webSocketAgent: portForcingAgent(hub.info.ports.https ?? 0) } });
  await client.open();
  return client;
}

/** One device HTTPS telemetry POST authenticated by the TLS client certificate only (iothub-protocol-2.md §1.5). */
async function httpsEvent(hub: HubEmulator, deviceId: string, credential: IssuedCertificate, body: string): Promise<{ status: number; body: string }> {
  const ca = await readFile(hub.info.caCertPath, 'utf8');
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        servername: 'localhost',
        port: hub.info.ports.https ?? 0,
        method: 'POST',
        path: `/devices/${deviceId}/messages/events?api-version=2020-09-30`,
        ca,
        cert: credential.certPem,
        key: credential.keyPem,
        headers: { 'content-type': 'application/json', host: 'localhost' },
      },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (text += chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body: text }));
      },
    );
    req.once('error', reject);
    req.end(body);
  });
}

const can443 = await canBind443();
const title443 = 'X.509 with the real azure-iot-device-http transport (it dials only 443)';

describe.skipIf(!can443)(can443 ? title443 : `${title443} — SKIPPED: ${SKIP_443_REASON}`, () => {
  let hub: TestHub;
  let device: IssuedCertificate;
  let stranger: IssuedCertificate;

  beforeAll(async () => {
    hub = await startLoopbackHub();
    const now = new Date();
    [device, stranger] = await Promise.all([issueDeviceCertificate('http-x509', { now }), issueDeviceCertificate('stranger', { now })]);
    await hub.hub.registry.create({ deviceId: 'http-x509', authentication: { type: 'selfSigned', x509Thumbprint: { primaryThumbprint: device.thumbprint256 } } });
  });
  afterAll(async () => {
    await hub?.dispose();
  });

  it('sends telemetry with x509=true and cert/key in setOptions; another certificate gets UnauthorizedError', async () => {
    const client = await x509Client(hub.hub, 'http-x509', device, 'Http');
    await client.open();
    try {
      await client.sendEvent(new deviceSdk.Message('{"over":"https"}'));
      expect(hub.hub.telemetry.recent('http-x509').at(-1)?.bodyPreview).toBe('{"over":"https"}');
    } finally {
      await client.close();
    }
    const refused = await x509Client(hub.hub, 'http-x509', stranger, 'Http');
    await refused.open();
    await expect(refused.sendEvent(new deviceSdk.Message('x'))).rejects.toMatchObject({ name: 'UnauthorizedError' });
    await refused.close();
  });
});
