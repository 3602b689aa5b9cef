import type { IotHubClient } from '@azure/arm-iothub';
import deviceSdk from 'azure-iot-device';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createDeviceCa, issueDeviceCertificate, type IssuedCertificate } from '../../emulator/certs/device-certificates.js';
import type { HubEmulator } from '../../emulator/index.js';
import { armClient, RESOURCE_GROUP, SUBSCRIPTION } from '../helpers/arm-client.js';
import { startTestHub, type TestHub } from '../helpers/start-hub.js';
import { eventually, waitForTraffic } from '../helpers/wait-for.js';
import { openOutcome, openX509Device, x509Connack } from '../helpers/x509-device.js';

// CA-signed X.509 devices (iothub-protocol-2.md §1.1, §1.3, checklist 105-106): the CA is registered and verified
// through the unmodified @azure/arm-iothub `IotHubClient.certificates` against the hub's HTTPS port (bearer token =
// an iothubowner SAS token), then devices whose chain ends in it connect with the unmodified device SDK.

const GROUP = RESOURCE_GROUP;

async function refusalOf(hub: HubEmulator, deviceId: string, attempt: () => Promise<unknown>): Promise<string> {
  const mark = hub.tap.snapshot().at(-1)?.id ?? -1;
  await attempt();
  const event = await waitForTraffic(hub, (candidate) => candidate.kind === 'connect' && candidate.deviceId === deviceId && candidate.id > mark && candidate.status !== 0);
  return event.payload;
}

describe('X.509 CA-signed devices through a CA registered and verified with @azure/arm-iothub', () => {
  let hub: TestHub;
  let arm: IotHubClient;
  let root: IssuedCertificate;
  let intermediate: IssuedCertificate;
  let otherRoot: IssuedCertificate;
  const now = new Date();

  beforeAll(async () => {
    hub = await startTestHub({ ports: { https: 0 } });
    arm = await armClient(hub.hub);
    root = await createDeviceCa('Fleet Root CA', { now });
    intermediate = await createDeviceCa('Fleet Intermediate CA', { now }, root);
    otherRoot = await createDeviceCa('Someone Else CA', { now });
    for (const deviceId of ['ca-dev', 'ca-chain', 'ca-parent']) await hub.hub.registry.create({ deviceId, authentication: { type: 'certificateAuthority' } });
    await hub.hub.modules.create({ deviceId: 'ca-parent', moduleId: 'ca-mod', authentication: { type: 'certificateAuthority' } });
  });
  afterAll(async () => {
    await hub?.dispose();
  });

  it('registers, verifies and uses a CA: unverified first (refused), then generateVerificationCode + verify, then devices connect', async () => {
    const created = await arm.certificates.createOrUpdate(GROUP, 'localhost', 'fleet-root', { properties: { certificate: root.certPem } });
    expect(created).toMatchObject({ name: 'fleet-root', type: 'Microsoft.Devices/IotHubs/Certificates', properties: { isVerified: false, thumbprint: root.thumbprint, subject: 'CN=Fleet Root CA' } });
    expect(created.id).toBe(`/subscriptions/${SUBSCRIPTION}/resourceGroups/${GROUP}/providers/Microsoft.Devices/IotHubs/localhost/certificates/fleet-root`);
    expect(created.properties?.expiry).toBeInstanceOf(Date);
    const leaf = await issueDeviceCertificate('ca-dev', { now }, root);
    expect(await refusalOf(hub.hub, 'ca-dev', () => openOutcome(hub.hub, 'ca-dev', leaf))).toMatch(/'fleet-root'.*not verified/);

    const challenge = await arm.certificates.generateVerificationCode(GROUP, 'localhost', 'fleet-root', created.etag ?? '');
    const code = challenge.properties?.verificationCode ?? '';
    expect(code).toMatch(/^[0-9A-F]{48}$/);
    expect(challenge.etag).not.toBe(created.etag);
    const proof = await issueDeviceCertificate(code, { now }, root);
    const verified = await arm.certificates.verify(GROUP, 'localhost', 'fleet-root', challenge.etag ?? '', { certificate: proof.certPem });
    expect(verified.properties?.isVerified).toBe(true);

    const client = await openX509Device(hub.hub, 'ca-dev', leaf, 'Mqtt');
    try {
      await client.sendEvent(new deviceSdk.Message('{"ca":true}'));
      await eventually(() => hub.hub.telemetry.recent('ca-dev').some((message) => message.bodyPreview === '{"ca":true}'), 5000, 'CA device telemetry');
    } finally {
      await client.close();
    }
    expect(await openOutcome(hub.hub, 'ca-dev', leaf, 'MqttWs')).toBe('connected');
  });

  it('accepts a chain through an intermediate the device sends, and a module whose CN is <device>/<module>', async () => {
    const chainLeaf = await issueDeviceCertificate('ca-chain', { now }, intermediate);
    expect(await openOutcome(hub.hub, 'ca-chain', { certPem: chainLeaf.certPem + intermediate.certPem, keyPem: chainLeaf.keyPem }, 'Mqtt')).toBe('connected');
    // Without the intermediate the chain does not reach the registered root.
    expect(await refusalOf(hub.hub, 'ca-chain', () => openOutcome(hub.hub, 'ca-chain', chainLeaf))).toMatch(/unknown CA/);
    const moduleLeaf = await issueDeviceCertificate('ca-parent/ca-mod', { now }, root);
    expect(await x509Connack(hub.hub, 'ca-parent/ca-mod', moduleLeaf)).toBe(0);
    expect(await x509Connack(hub.hub, 'ca-parent', moduleLeaf)).toBe(5);
  });

  it('refuses a wrong CN, an unknown CA and an expired leaf with CONNACK 5 and names each reason', async () => {
    const wrongCn = await issueDeviceCertificate('ca-someone-else', { now }, root);
    expect(await refusalOf(hub.hub, 'ca-dev', () => openOutcome(hub.hub, 'ca-dev', wrongCn))).toMatch(/wrong CN.*'ca-someone-else'.*'ca-dev'/);
    const foreign = await issueDeviceCertificate('ca-dev', { now }, otherRoot);
    expect(await refusalOf(hub.hub, 'ca-dev', () => openOutcome(hub.hub, 'ca-dev', foreign))).toMatch(/unknown CA/);
    const DAY = 86_400_000;
    const expired = await issueDeviceCertificate('ca-dev', { now, notBefore: new Date(now.getTime() - 10 * DAY), notAfter: new Date(now.getTime() - DAY) }, root);
    expect(await openOutcome(hub.hub, 'ca-dev', expired)).toBe('UnauthorizedError');
  });

  it('lists and gets certificates, and refuses stale etags, a bad proof and a non-owner policy as Resource Manager does', async () => {
    const list = await arm.certificates.listByIotHub(GROUP, 'localhost');
    expect(list.value?.map((certificate) => certificate.name)).toEqual(['fleet-root']);
    const current = await arm.certificates.get(GROUP, 'localhost', 'fleet-root');
    expect(current.properties?.certificate).toContain('BEGIN CERTIFICATE');

    await arm.certificates.createOrUpdate(GROUP, 'localhost', 'other-root', { properties: { certificate: otherRoot.certPem } });
    await expect(arm.certificates.createOrUpdate(GROUP, 'localhost', 'other-root', { properties: { certificate: otherRoot.certPem } }, { ifMatch: 'stale' })).rejects.toMatchObject({ statusCode: 412 });
    const other = await arm.certificates.get(GROUP, 'localhost', 'other-root');
    const challenge = await arm.certificates.generateVerificationCode(GROUP, 'localhost', 'other-root', other.etag ?? '');
    // Signed by the wrong key, then carrying the wrong CN.
    const notByThisCa = await issueDeviceCertificate(challenge.properties?.verificationCode ?? '', { now }, root);
    await expect(arm.certificates.verify(GROUP, 'localhost', 'other-root', challenge.etag ?? '', { certificate: notByThisCa.certPem })).rejects.toMatchObject({ statusCode: 400, code: 'CertificateVerificationFailed' });
    const wrongCode = await issueDeviceCertificate('not-the-code', { now }, otherRoot);
    await expect(arm.certificates.verify(GROUP, 'localhost', 'other-root', challenge.etag ?? '', { certificate: wrongCode.certPem })).rejects.toMatchObject({ statusCode: 400, code: 'CertificateVerificationFailed' });
    await expect(arm.certificates.delete(GROUP, 'localhost', 'other-root', 'stale')).rejects.toMatchObject({ statusCode: 412 });
    await arm.certificates.delete(GROUP, 'localhost', 'other-root', challenge.etag ?? '');
    await expect(arm.certificates.get(GROUP, 'localhost', 'other-root')).rejects.toMatchObject({ statusCode: 404, code: 'CertificateNotFound' });
    await expect(arm.certificates.get(GROUP, 'otherhub', 'fleet-root')).rejects.toMatchObject({ statusCode: 404, code: 'ResourceNotFound' });

    const serviceOnly = await armClient(hub.hub, 'service');
    await expect(serviceOnly.certificates.listByIotHub(GROUP, 'localhost')).rejects.toMatchObject({ statusCode: 401 });
    const registryWriter = await armClient(hub.hub, 'registryReadWrite');
    await expect(registryWriter.certificates.listByIotHub(GROUP, 'localhost')).rejects.toMatchObject({ statusCode: 403, code: 'AuthorizationFailed' });
  });

  it('keeps verified CAs across a restart (durable records), and a deleted CA stops its devices', async () => {
    const leaf = await issueDeviceCertificate('ca-dev', { now }, root);
    await hub.stop();
    hub = await startTestHub({ ports: { https: 0 } }, hub.dataDir);
    arm = await armClient(hub.hub);
    const after = await arm.certificates.get(GROUP, 'localhost', 'fleet-root');
    expect(after.properties?.isVerified).toBe(true);
    expect(await openOutcome(hub.hub, 'ca-dev', leaf)).toBe('connected');
    await arm.certificates.delete(GROUP, 'localhost', 'fleet-root', '*');
    expect(await refusalOf(hub.hub, 'ca-dev', () => openOutcome(hub.hub, 'ca-dev', leaf))).toMatch(/unknown CA/);
  });
});
