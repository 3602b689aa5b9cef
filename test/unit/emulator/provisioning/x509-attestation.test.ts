import { X509Certificate } from 'node:crypto';

import { beforeAll, describe, expect, it } from 'vitest';

import { presentedCertificate, type TrustAnchor } from '../../../../emulator/auth/x509-credential.js';
import { createDeviceCa, issueDeviceCertificate, thumbprintsOfPem, type IssuedCertificate } from '../../../../emulator/certs/device-certificates.js';
import type { AttestationContext, DeviceCredential } from '../../../../emulator/provisioning/attestation.js';
import { x509Attestation } from '../../../../emulator/provisioning/x509-attestation.js';
import { checkX509Attestation, enrollmentCertificates, x509AttestationJson } from '../../../../emulator/provisioning/x509-enrollment-certificates.js';

// X.509 attestation without sockets: which enrollment shapes a presented chain proves, what the hub identity gets,
// and the certificate formats an enrollment may carry.

const now = new Date();

function credentialOf(...certificates: IssuedCertificate[]): DeviceCredential {
  const presented = presentedCertificate(certificates.map((certificate) => new X509Certificate(certificate.certPem).raw));
  if (!presented) throw new Error('unparsable');
  return { kind: 'x509', presented };
}

function contextWith(anchors: Record<string, TrustAnchor> = {}, at = now): AttestationContext {
  return { now: at, caCertificate: (name) => anchors[name] };
}

function x509(fields: Record<string, unknown>) {
  return { type: 'x509' as const, x509: fields as never };
}

describe('x509Attestation', () => {
  let root: IssuedCertificate;
  let secondRoot: IssuedCertificate;
  let intermediate: IssuedCertificate;
  let leaf: IssuedCertificate;

  beforeAll(async () => {
    root = await createDeviceCa('Unit Root', { now });
    secondRoot = await createDeviceCa('Unit Root 2', { now });
    intermediate = await createDeviceCa('Unit Intermediate', { now }, root);
    leaf = await issueDeviceCertificate('unit-device', { now }, intermediate);
  });

  it('proves an individual enrollment by either thumbprint (certificate or info) and gives the hub both slots', () => {
    const other = { certPem: root.certPem };
    const byCertificate = x509Attestation.proveIndividual(credentialOf(leaf), x509({ clientCertificates: { primary: { certificate: other.certPem }, secondary: { certificate: leaf.certPem } } }), 'unit-device', contextWith());
    expect(byCertificate).toEqual({ authentication: { type: 'selfSigned', x509Thumbprint: { primaryThumbprint: thumbprintsOfPem(root.certPem).thumbprint, secondaryThumbprint: thumbprintsOfPem(leaf.certPem).thumbprint } } });
    const byInfo = x509Attestation.proveIndividual(credentialOf(leaf), x509({ clientCertificates: { primary: { info: { sha256Thumbprint: thumbprintsOfPem(leaf.certPem).thumbprint256.toLowerCase() } } } }), 'unit-device', contextWith());
    expect(byInfo).toMatchObject({ authentication: { type: 'selfSigned' } });
    expect(x509Attestation.proveIndividual(credentialOf(root), x509({ clientCertificates: { primary: { certificate: leaf.certPem } } }), 'unit-device', contextWith())).toMatchObject({ refused: expect.stringContaining('neither') as unknown });
  });

  it('proves a group through the intermediates the device sent to the primary or secondary signing certificate', () => {
    const group = x509({ signingCertificates: { primary: { certificate: secondRoot.certPem }, secondary: { certificate: root.certPem } } });
    expect(x509Attestation.proveGroupMember(credentialOf(leaf, intermediate), group, 'unit-device', contextWith())).toEqual({
      authentication: { type: 'selfSigned', x509Thumbprint: { primaryThumbprint: thumbprintsOfPem(leaf.certPem).thumbprint, secondaryThumbprint: null } },
    });
    // Without the intermediate the chain stops at it.
    expect(x509Attestation.proveGroupMember(credentialOf(leaf), group, 'unit-device', contextWith())).toMatchObject({ refused: expect.stringContaining('unknown CA') as unknown });
    // The intermediate itself may be the signing certificate.
    expect(x509Attestation.proveGroupMember(credentialOf(leaf), x509({ signingCertificates: { primary: { certificate: intermediate.certPem } } }), 'unit-device', contextWith())).toMatchObject({ authentication: { type: 'selfSigned' } });
  });

  it('proves caReferences only with a verified hub CA, and names a missing one', () => {
    const group = x509({ caReferences: { primary: 'fleet-ca' } });
    const anchor = (verified: boolean): TrustAnchor => ({ name: 'fleet-ca', certificate: new X509Certificate(root.certPem), verified });
    expect(x509Attestation.proveGroupMember(credentialOf(leaf, intermediate), group, 'unit-device', contextWith({ 'fleet-ca': anchor(true) }))).toEqual({ authentication: { type: 'certificateAuthority' } });
    expect(x509Attestation.proveGroupMember(credentialOf(leaf, intermediate), group, 'unit-device', contextWith({ 'fleet-ca': anchor(false) }))).toMatchObject({ refused: expect.stringContaining('not verified') as unknown });
    expect(x509Attestation.proveGroupMember(credentialOf(leaf, intermediate), group, 'unit-device', contextWith())).toEqual({ refused: "the CA certificate 'fleet-ca' named by caReferences is not registered on the hub" });
  });

  it('refuses an expired or not yet valid leaf, and ignores SAS credentials and symmetric-key enrollments', () => {
    const later = new Date(now.getTime() + 400 * 86_400_000);
    expect(x509Attestation.proveIndividual(credentialOf(leaf), x509({ clientCertificates: { primary: { certificate: leaf.certPem } } }), 'unit-device', contextWith({}, later))).toMatchObject({ refused: expect.stringContaining('expired') as unknown });
    const sas: DeviceCredential = { kind: 'sas', token: { resource: 'x', signature: 'y', se: 0 } as never };
    expect(x509Attestation.proveIndividual(sas, x509({ clientCertificates: { primary: { certificate: leaf.certPem } } }), 'unit-device', contextWith())).toBeUndefined();
    expect(x509Attestation.proveGroupMember(credentialOf(leaf), { type: 'symmetricKey', symmetricKey: { primaryKey: 'a', secondaryKey: 'b' } }, 'unit-device', contextWith())).toBeUndefined();
  });
});

describe('X.509 enrollment certificates', () => {
  let certificate: IssuedCertificate;

  beforeAll(async () => {
    certificate = await issueDeviceCertificate('formats', { now });
  });

  it('reads PEM, base64 DER and base64 of the PEM alike', () => {
    const der = new X509Certificate(certificate.certPem).raw.toString('base64');
    const pemBase64 = Buffer.from(certificate.certPem).toString('base64');
    const prints = [certificate.certPem, der, pemBase64].map((text) => enrollmentCertificates({ clientCertificates: { primary: { certificate: text } } }).client[0]?.thumbprints.sha1);
    expect(prints).toEqual(Array(3).fill(thumbprintsOfPem(certificate.certPem).thumbprint));
  });

  it('checks the shape per enrollment kind (400 with the field)', () => {
    expect(() => checkX509Attestation({ clientCertificates: { primary: { certificate: certificate.certPem } } }, 'individual')).not.toThrow();
    expect(() => checkX509Attestation({ caReferences: { primary: 'ca' } }, 'group')).not.toThrow();
    expect(() => checkX509Attestation({}, 'individual')).toThrow(/clientCertificates\.primary\.certificate/);
    expect(() => checkX509Attestation({ signingCertificates: { primary: { certificate: 'nope' } } }, 'group')).toThrow(/signingCertificates\.primary\.certificate is not a certificate/);
    expect(() => checkX509Attestation({ clientCertificates: { primary: { certificate: certificate.certPem } } }, 'group')).toThrow(/not clientCertificates/);
    expect(() => checkX509Attestation({ caReferences: { primary: 7 } } as never, 'group')).toThrow(/caReferences\.primary/);
  });

  it('adds the info DPS returns and keeps other fields as sent', () => {
    const json = x509AttestationJson({ clientCertificates: { primary: { certificate: certificate.certPem } }, caReferences: { primary: 'x' } });
    expect(json).toMatchObject({ caReferences: { primary: 'x' }, clientCertificates: { primary: { certificate: certificate.certPem, info: { subjectName: 'CN=formats', sha1Thumbprint: thumbprintsOfPem(certificate.certPem).thumbprint, version: 3 } } } });
  });
});
