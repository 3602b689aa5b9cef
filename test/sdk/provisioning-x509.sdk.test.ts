import { readFileSync } from 'node:fs';
import { request } from 'node:https';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createDeviceCa, issueDeviceCertificate, thumbprintsOfPem, type IssuedCertificate } from '../../emulator/certs/device-certificates.js';
import type { HubEmulator } from '../../emulator/index.js';
import { provisioningServiceClient, refusal, registerWithCertificate, type DpsTransport } from '../helpers/provisioning-sdk.js';
import { startTestHub, type TestHub } from '../helpers/start-hub.js';
import { openOutcome, openX509Device } from '../helpers/x509-device.js';

// DPS X.509 attestation (iothub-protocol-2.md §2.2, §2.8) with the unmodified azure-iot-provisioning-device and
// azure-iot-security-x509's X509Security, over MQTT, MQTT over WebSockets, HTTPS, AMQP and AMQP over WebSockets:
// the device's TLS client certificate proves an individual enrollment (its own certificate) or a group (a chain to
// the group's signing certificate, or to a verified CA registered on the hub); the provisioned device then connects
// to the hub with the same certificate and sees its initial twin.

const now = new Date();
const TRANSPORTS: readonly DpsTransport[] = ['Mqtt', 'MqttWs', 'Http', 'Amqp', 'AmqpWs'];

/** An individual X.509 enrollment's attestation: the device's own certificate (primary) and maybe a secondary. */
function clientCertificates(primary: IssuedCertificate, secondary?: IssuedCertificate) {
  return { type: 'x509' as const, x509: { clientCertificates: { primary: { certificate: primary.certPem }, ...(secondary ? { secondary: { certificate: secondary.certPem } } : {}) } } };
}

/** The certificate a device presents: the leaf and, for a chain, the intermediates after it (one PEM file). */
function presenting(leaf: IssuedCertificate, ...intermediates: IssuedCertificate[]): { certPem: string; keyPem: string } {
  return { certPem: [leaf.certPem, ...intermediates.map((certificate) => certificate.certPem)].join(''), keyPem: leaf.keyPem };
}

describe('DPS X.509 attestation with the real provisioning SDK', () => {
  let test: TestHub;
  let hub: HubEmulator;
  let root: IssuedCertificate;
  let intermediate: IssuedCertificate;

  beforeAll(async () => {
    test = await startTestHub({ ports: { https: 0 } });
    hub = test.hub;
    root = await createDeviceCa('Fleet Root CA', { now });
    intermediate = await createDeviceCa('Fleet Intermediate CA', { now }, root);
  });

  afterAll(async () => {
    await test?.dispose();
  });

  it.each(TRANSPORTS)('%s: an individual enrollment with the device certificate provisions a self-signed device that connects and sees its initial twin', async (transport) => {
    const registrationId = `x509-ind-${transport.toLowerCase()}`;
    const certificate = await issueDeviceCertificate(registrationId, { now });
    await hub.enrollments.putEnrollment({ registrationId, attestation: clientCertificates(certificate), initialTwin: { tags: { kind: 'x509' }, desired: { interval: 15 } } });
    const result = await registerWithCertificate(hub, transport, registrationId, certificate);
    expect(result).toMatchObject({ registrationId, deviceId: registrationId, assignedHub: hub.info.hostName, status: 'assigned', substatus: 'initialAssignment', x509: {} });
    const { thumbprint } = thumbprintsOfPem(certificate.certPem);
    expect(hub.registry.get(registrationId).authentication).toMatchObject({ type: 'selfSigned', x509Thumbprint: { primaryThumbprint: thumbprint, secondaryThumbprint: null } });
    expect(hub.enrollments.getRegistration(registrationId)).toMatchObject({ status: 'assigned', attestationType: 'x509', enrollmentGroupId: null });

    const device = await openX509Device(hub, result.deviceId, certificate);
    try {
      const twin = await device.getTwin();
      expect(twin.properties.desired).toMatchObject({ interval: 15 });
    } finally {
      await device.close();
    }
  });

  it('an individual enrollment accepts its secondary certificate, and the hub device gets both thumbprints', async () => {
    const primary = await issueDeviceCertificate('x509-two', { now });
    const secondary = await issueDeviceCertificate('x509-two', { now });
    await hub.enrollments.putEnrollment({ registrationId: 'x509-two', attestation: clientCertificates(primary, secondary) });
    await registerWithCertificate(hub, 'Mqtt', 'x509-two', secondary);
    expect(hub.registry.get('x509-two').authentication.x509Thumbprint).toEqual({ primaryThumbprint: thumbprintsOfPem(primary.certPem).thumbprint, secondaryThumbprint: thumbprintsOfPem(secondary.certPem).thumbprint });
    const device = await openX509Device(hub, 'x509-two', secondary);
    await device.close();
  });

  it.each(TRANSPORTS)('%s: a group member whose chain ends in the signing certificate provisions itself and connects', async (transport) => {
    const groupId = `x509-group-${transport.toLowerCase()}`;
    await hub.enrollments.putGroup({ enrollmentGroupId: groupId, attestation: { type: 'x509', x509: { signingCertificates: { primary: { certificate: root.certPem } } } }, initialTwin: { tags: { fleet: groupId }, desired: { mode: 'eco' } } });
    const registrationId = `member-${transport.toLowerCase()}`;
    const leaf = await issueDeviceCertificate(registrationId, { now }, intermediate);
    const result = await registerWithCertificate(hub, transport, registrationId, presenting(leaf, intermediate));
    expect(result).toMatchObject({ registrationId, deviceId: registrationId, status: 'assigned', x509: { enrollmentGroupId: groupId } });
    expect(hub.registry.get(registrationId).authentication).toMatchObject({ type: 'selfSigned', x509Thumbprint: { primaryThumbprint: thumbprintsOfPem(leaf.certPem).thumbprint } });
    expect(hub.twins.getServiceTwin(registrationId)).toMatchObject({ tags: { fleet: groupId } });
    const device = await openX509Device(hub, registrationId, presenting(leaf, intermediate));
    try {
      expect((await device.getTwin()).properties.desired).toMatchObject({ mode: 'eco' });
    } finally {
      await device.close();
    }
    await hub.enrollments.deleteGroup(groupId);
  });

  it('a group naming a verified hub CA (caReferences) creates a CA-signed device; an unverified CA is refused with the reason', async () => {
    const uploaded = await hub.certificates.upload('dps-fleet-ca', { certificate: root.certPem, isVerified: false });
    await hub.enrollments.putGroup({ enrollmentGroupId: 'ca-group', attestation: { type: 'x509', x509: { caReferences: { primary: 'dps-fleet-ca' } } } });
    const leaf = await issueDeviceCertificate('ca-member', { now }, root);
    const mark = hub.tap.snapshot().at(-1)?.id ?? -1;
    expect(await refusal(registerWithCertificate(hub, 'Mqtt', 'ca-member', leaf))).toBe('UnauthorizedError');
    const refused = hub.tap.snapshot().find((event) => event.id > mark && event.deviceId === 'ca-member' && /not authorized/.test(String(event.payload)));
    expect(String(refused?.payload)).toMatch(/'dps-fleet-ca'.*not verified/);

    await hub.certificates.upload('dps-fleet-ca', { certificate: root.certPem, isVerified: true }, uploaded.record.etag);
    const result = await registerWithCertificate(hub, 'Http', 'ca-member', leaf);
    expect(result).toMatchObject({ deviceId: 'ca-member', status: 'assigned', x509: { enrollmentGroupId: 'ca-group' } });
    expect(hub.registry.get('ca-member').authentication.type).toBe('certificateAuthority');
    const device = await openX509Device(hub, 'ca-member', leaf);
    await device.close();
    await hub.enrollments.deleteGroup('ca-group');
  });

  it('a group member registering again with a new certificate moves its hub identity to the new thumbprint', async () => {
    await hub.enrollments.putGroup({ enrollmentGroupId: 'rollover-group', attestation: { type: 'x509', x509: { signingCertificates: { primary: { certificate: intermediate.certPem } } } } });
    const first = await issueDeviceCertificate('rollover-1', { now }, intermediate);
    await registerWithCertificate(hub, 'Http', 'rollover-1', first);
    const renewed = await issueDeviceCertificate('rollover-1', { now }, intermediate);
    const again = await registerWithCertificate(hub, 'Mqtt', 'rollover-1', renewed);
    expect(again).toMatchObject({ deviceId: 'rollover-1', status: 'assigned', substatus: 'initialAssignment' });
    expect(hub.registry.get('rollover-1').authentication.x509Thumbprint.primaryThumbprint).toBe(thumbprintsOfPem(renewed.certPem).thumbprint);
    const device = await openX509Device(hub, 'rollover-1', renewed);
    await device.close();
    expect(await openOutcome(hub, 'rollover-1', first)).toBe('UnauthorizedError');
    await hub.enrollments.deleteGroup('rollover-group');
  });

  it('registers again idempotently: same device and twin, no new twin version', async () => {
    const certificate = await issueDeviceCertificate('x509-again', { now });
    await hub.enrollments.putEnrollment({ registrationId: 'x509-again', attestation: clientCertificates(certificate), initialTwin: { tags: { a: 1 }, desired: { b: 2 } } });
    const first = await registerWithCertificate(hub, 'Amqp', 'x509-again', certificate);
    const device = hub.registry.get('x509-again');
    const twinVersion = hub.twins.getServiceTwin('x509-again').version;
    const second = await registerWithCertificate(hub, 'Mqtt', 'x509-again', certificate);
    expect(second).toMatchObject({ deviceId: first.deviceId, status: 'assigned', substatus: 'initialAssignment', createdDateTimeUtc: first.createdDateTimeUtc });
    expect(hub.registry.get('x509-again').identityVersion).toBe(device.identityVersion);
    expect(hub.twins.getServiceTwin('x509-again').version).toBe(twinVersion);
  });

  it.each<DpsTransport>(['Mqtt', 'Http', 'Amqp'])('%s: a disabled X.509 enrollment ends in status "disabled" and creates no device', async (transport) => {
    const registrationId = `x509-off-${transport.toLowerCase()}`;
    const certificate = await issueDeviceCertificate(registrationId, { now });
    await hub.enrollments.putEnrollment({ registrationId, attestation: clientCertificates(certificate), provisioningStatus: 'disabled' });
    const error = (await registerWithCertificate(hub, transport, registrationId, certificate).catch((caught: unknown) => caught)) as Error & { result?: Record<string, unknown> };
    expect(error.message).toBe('status is disabled');
    expect(error.result).toMatchObject({ status: 'disabled', registrationState: { registrationId, status: 'disabled' } });
    expect(hub.registry.find(registrationId)).toBeUndefined();
  });

  it.each<DpsTransport>(['Mqtt', 'MqttWs', 'Http', 'Amqp', 'AmqpWs'])('%s: a wrong certificate, a CN that is not the registration id and an expired certificate are refused with 401', async (transport) => {
    const registrationId = `x509-bad-${transport.toLowerCase()}`;
    const enrolled = await issueDeviceCertificate(registrationId, { now });
    await hub.enrollments.putEnrollment({ registrationId, attestation: clientCertificates(enrolled) });
    const impostor = await issueDeviceCertificate(registrationId, { now });
    expect(await refusal(registerWithCertificate(hub, transport, registrationId, impostor))).toBe('UnauthorizedError');
    // The enrolled certificate, but another registration id than its CN.
    await hub.enrollments.putEnrollment({ registrationId: `${registrationId}-other`, attestation: clientCertificates(enrolled) });
    expect(await refusal(registerWithCertificate(hub, transport, `${registrationId}-other`, enrolled))).toBe('UnauthorizedError');
    const expired = await issueDeviceCertificate(`${registrationId}-old`, { now, notBefore: new Date(now.getTime() - 10 * 86_400_000), notAfter: new Date(now.getTime() - 86_400_000) });
    await hub.enrollments.putEnrollment({ registrationId: `${registrationId}-old`, attestation: clientCertificates(expired) });
    expect(await refusal(registerWithCertificate(hub, transport, `${registrationId}-old`, expired))).toBe('UnauthorizedError');
    // A member of no group.
    const stranger = await issueDeviceCertificate(`${registrationId}-stranger`, { now }, intermediate);
    expect(await refusal(registerWithCertificate(hub, transport, `${registrationId}-stranger`, presenting(stranger, intermediate)))).toBe('UnauthorizedError');
    for (const id of [registrationId, `${registrationId}-other`, `${registrationId}-old`, `${registrationId}-stranger`]) expect(hub.registry.find(id)).toBeUndefined();
  });
});

describe('X.509 enrollments through ProvisioningServiceClient, and the refusal on the wire', () => {
  let test: TestHub;
  let hub: HubEmulator;
  let service: ReturnType<typeof provisioningServiceClient>;

  beforeAll(async () => {
    test = await startTestHub({ ports: { https: 0 } });
    hub = test.hub;
    service = provisioningServiceClient(hub);
  });

  afterAll(async () => {
    await test?.dispose();
  });

  it('stores an X.509 enrollment and returns each certificate with the info DPS fills in; the read-back enrollment saves again', async () => {
    const certificate = await issueDeviceCertificate('svc-x509', { now });
    const { thumbprint, thumbprint256 } = thumbprintsOfPem(certificate.certPem);
    const created = (await service.createOrUpdateIndividualEnrollment({ registrationId: 'svc-x509', attestation: clientCertificates(certificate) } as never)).responseBody as unknown as X509Enrollment;
    expect(created.attestation.x509.clientCertificates?.primary.info).toMatchObject({ subjectName: 'CN=svc-x509', sha1Thumbprint: thumbprint, sha256Thumbprint: thumbprint256, version: 3 });
    const fetched = (await service.getIndividualEnrollment('svc-x509')).responseBody as unknown as X509Enrollment;
    const updated = (await service.createOrUpdateIndividualEnrollment({ ...fetched, provisioningStatus: 'disabled' } as never)).responseBody as unknown as X509Enrollment;
    expect(updated).toMatchObject({ provisioningStatus: 'disabled', attestation: { type: 'x509' } });
    expect(updated.etag).not.toBe(fetched.etag);
  });

  it('takes a group signing certificate as base64 of the PEM, and refuses certificates that are not certificates or do not fit the enrollment', async () => {
    const root = await createDeviceCa('Service Root CA', { now });
    const group = (await service.createOrUpdateEnrollmentGroup({ enrollmentGroupId: 'svc-group', attestation: { type: 'x509', x509: { signingCertificates: { primary: { certificate: Buffer.from(root.certPem).toString('base64') } } } } } as never)).responseBody as unknown as X509Enrollment;
    expect(group.attestation.x509.signingCertificates?.primary.info).toMatchObject({ subjectName: 'CN=Service Root CA', sha1Thumbprint: thumbprintsOfPem(root.certPem).thumbprint });
    const refusals = [
      () => service.createOrUpdateIndividualEnrollment({ registrationId: 'svc-bad', attestation: { type: 'x509', x509: { clientCertificates: { primary: { certificate: 'not a certificate' } } } } } as never),
      () => service.createOrUpdateIndividualEnrollment({ registrationId: 'svc-bad', attestation: { type: 'x509', x509: {} } } as never),
      () => service.createOrUpdateEnrollmentGroup({ enrollmentGroupId: 'svc-bad', attestation: { type: 'x509', x509: { clientCertificates: { primary: { certificate: root.certPem } } } } } as never),
    ];
    for (const attempt of refusals) await expect(attempt()).rejects.toMatchObject({ name: 'ArgumentError', responseBody: expect.stringContaining('400004') as unknown });
  });

  it('answers an unknown certificate over HTTPS with 401, x-ms-error-code 401002 and the reason', async () => {
    const enrolled = await issueDeviceCertificate('wire-x509', { now });
    await hub.enrollments.putEnrollment({ registrationId: 'wire-x509', attestation: clientCertificates(enrolled) });
    const other = await issueDeviceCertificate('wire-x509', { now });
    const reply = await registerRaw(hub, 'wire-x509', other);
    expect(reply.status).toBe(401);
    expect(reply.headers['x-ms-error-code']).toBe('401002');
    expect(JSON.parse(reply.text)).toMatchObject({ errorCode: 401002, message: expect.stringMatching(/^Invalid certificate: .*neither the enrollment's primary nor its secondary/) as unknown, trackingId: expect.any(String) as unknown });
    const accepted = await registerRaw(hub, 'wire-x509', enrolled);
    expect(accepted.status).toBe(202);
    expect(JSON.parse(accepted.text)).toMatchObject({ status: 'assigning', operationId: expect.any(String) as unknown });
  });
});

interface X509Enrollment {
  etag: string;
  provisioningStatus: string;
  attestation: { type: string; x509: { clientCertificates?: { primary: { info: Record<string, unknown> } }; signingCertificates?: { primary: { info: Record<string, unknown> } } } };
}

/** `PUT /{idScope}/registrations/{id}/register` with a TLS client certificate and no Authorization header. */
function registerRaw(hub: HubEmulator, registrationId: string, credential: IssuedCertificate): Promise<{ status: number; headers: Record<string, unknown>; text: string }> {
  const body = JSON.stringify({ registrationId });
  return new Promise((resolve, reject) => {
    const call = request(
      {
        host: '127.0.0.1',
        servername: 'localhost',
        port: hub.info.ports.https ?? 0,
        method: 'PUT',
        path: `/${hub.info.provisioning.idScope}/registrations/${registrationId}/register?api-version=2019-03-31`,
        headers: { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) },
        ca: readFileSync(hub.info.caCertPath, 'utf8'),
        cert: credential.certPem,
        key: credential.keyPem,
        agent: false,
      },
      (response) => {
        let text = '';
        response.on('data', (chunk: Buffer) => (text += chunk.toString()));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, text }));
      },
    );
    call.on('error', reject);
    call.end(body);
  });
}
