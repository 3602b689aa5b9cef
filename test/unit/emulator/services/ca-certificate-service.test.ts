import { describe, expect, it } from 'vitest';

import { createDeviceCa, issueDeviceCertificate } from '../../../../emulator/certs/device-certificates.js';
import { CaCertificateService, MAX_CA_CERTIFICATES } from '../../../../emulator/services/ca-certificate-service.js';
import { ManualClock } from '../../../../emulator/util/clock.js';
import { serviceHarness } from '../../../helpers/service-harness.js';

const now = new Date('2026-06-01T00:00:00Z');

async function setup() {
  const clock = new ManualClock(now);
  const harness = await serviceHarness({ clock });
  return { ...harness, certificates: new CaCertificateService(harness.data, clock) };
}

describe('CaCertificateService (iothub-protocol-2.md §1.3)', () => {
  it('uploads unverified, proves possession with CN = code signed by the CA, and stores durable records', async () => {
    const { certificates, state } = await setup();
    const ca = await createDeviceCa('Unit Root', { now });
    const { record, created } = await certificates.upload('root', { certificate: ca.certPem });
    expect(created).toBe(true);
    expect(record).toMatchObject({ isVerified: false, thumbprint: ca.thumbprint, subject: 'CN=Unit Root', verificationCode: null });
    expect(state.caCertificates.root).toEqual(record);
    await expect(certificates.verify('root', record.etag, ca.certPem)).rejects.toMatchObject({ code: 'CertificateVerificationFailed' });
    const challenge = await certificates.generateVerificationCode('root', record.etag);
    await expect(certificates.generateVerificationCode('root', record.etag)).rejects.toMatchObject({ httpStatus: 412 });
    const proof = await issueDeviceCertificate(challenge.verificationCode ?? '', { now }, ca);
    const verified = await certificates.verify('root', challenge.etag, proof.certPem);
    expect(verified).toMatchObject({ isVerified: true, verificationCode: null });
    // Uploading the same content again keeps the verification; new content starts unverified.
    const same = await certificates.upload('root', { certificate: ca.certPem }, verified.etag);
    expect(same.record.isVerified).toBe(true);
    const other = await createDeviceCa('Unit Other', { now });
    expect((await certificates.upload('root', { certificate: other.certPem }, '*')).record.isVerified).toBe(false);
  });

  it('refuses a replace without If-Match, junk, an expired certificate, bad names and a 26th CA', async () => {
    const { certificates } = await setup();
    const ca = await createDeviceCa('Unit Root', { now });
    await certificates.upload('root', { certificate: ca.certPem, isVerified: true });
    await expect(certificates.upload('root', { certificate: ca.certPem })).rejects.toMatchObject({ httpStatus: 400 });
    await expect(certificates.upload('junk', { certificate: 'not a certificate' })).rejects.toMatchObject({ code: 'InvalidCertificate' });
    const expired = await createDeviceCa('Old', { now, notBefore: new Date('2020-01-01'), notAfter: new Date('2021-01-01') });
    await expect(certificates.upload('old', { certificate: expired.certPem })).rejects.toMatchObject({ code: 'InvalidCertificate' });
    await expect(certificates.upload('bad/name', { certificate: ca.certPem })).rejects.toMatchObject({ code: 'ArgumentInvalid' });
    // base64 DER is accepted as IoT Hub accepts it.
    const der = ca.certPem.replace(/-----[^-]+-----|\s/g, '');
    for (let i = 1; i < MAX_CA_CERTIFICATES; i++) await certificates.upload(`ca-${i}`, { certificate: der });
    await expect(certificates.upload('one-too-many', { certificate: ca.certPem })).rejects.toMatchObject({ code: 'InvalidCertificate' });
    expect(await certificates.delete('ca-1', '*')).toBe(true);
    expect(await certificates.delete('ca-1', '*')).toBe(false);
    expect(certificates.list()).toHaveLength(MAX_CA_CERTIFICATES - 1);
  });
});

describe('CA certificate names that are Object.prototype members', () => {
  it('stores __proto__ and constructor as plain entries (util/own-keys.ts)', async () => {
    const { certificates, state } = await setup();
    const ca = await createDeviceCa('Proto', { now });
    expect(() => certificates.get('constructor')).toThrow(/does not exist/);
    await certificates.upload('__proto__', { certificate: ca.certPem });
    await certificates.upload('constructor', { certificate: ca.certPem });
    expect(Object.keys(state.caCertificates).sort()).toEqual(['__proto__', 'constructor']);
    expect(Object.getPrototypeOf(state.caCertificates)).toBe(Object.prototype);
    expect(certificates.get('__proto__').name).toBe('__proto__');
    expect(await certificates.delete('__proto__', '*')).toBe(true);
    expect(certificates.list().map((record) => record.name)).toEqual(['constructor']);
  });
});

describe('X.509 identity fields (iothub-protocol-2.md §1.1-1.2)', () => {
  it('validates thumbprints, requires one for selfSigned, and lets an update clear the secondary', async () => {
    const { registry } = await setup();
    const sha1 = 'AB'.repeat(20);
    await expect(registry.create({ deviceId: 'd1', authentication: { type: 'selfSigned', x509Thumbprint: { primaryThumbprint: 'xyz' } } })).rejects.toMatchObject({ code: 'ArgumentInvalid' });
    await expect(registry.create({ deviceId: 'd1', authentication: { type: 'selfSigned' } })).rejects.toMatchObject({ code: 'ArgumentInvalid' });
    const created = await registry.create({ deviceId: 'd1', authentication: { type: 'selfSigned', x509Thumbprint: { primaryThumbprint: sha1, secondaryThumbprint: 'cd:'.repeat(32).slice(0, -1) } } });
    expect(created.authentication.symmetricKey).toEqual({ primaryKey: '', secondaryKey: '' });
    const updated = await registry.update({ deviceId: 'd1', authentication: { type: 'selfSigned', x509Thumbprint: { primaryThumbprint: sha1, secondaryThumbprint: null } } });
    expect(updated.authentication.x509Thumbprint).toEqual({ primaryThumbprint: sha1, secondaryThumbprint: null });
    const statusOnly = await registry.update({ deviceId: 'd1', status: 'disabled' });
    expect(statusOnly.authentication.x509Thumbprint.primaryThumbprint).toBe(sha1);
    const ca = await registry.create({ deviceId: 'd2', authentication: { type: 'certificateAuthority' } });
    expect(ca.authentication.x509Thumbprint).toEqual({ primaryThumbprint: null, secondaryThumbprint: null });
  });
});
