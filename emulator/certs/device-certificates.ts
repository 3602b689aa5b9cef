import { createHash, X509Certificate } from 'node:crypto';

import { generate } from 'selfsigned';

import type { CertificateAndKey } from './issue.js';
import { addKeyIdentifiers, subjectKeyIdentifierOf } from './key-identifiers.js';

// The built-in test PKI for X.509 devices (iothub-protocol-2.md §1): self-signed device certificates, a device CA
// (root or intermediate) to register on the hub, CA-signed device certificates and the proof-of-possession
// certificate for a verification code, so nobody needs openssl. Separate from the hub's local CA (issue.ts), which
// users trust system-wide and whose name constraints are for server names only. EC P-256 keys, SHA-256 signatures,
// key identifiers (key-identifiers.ts), so OpenSSL's strict chain checks (mosquitto, Python) accept them.

const DAY_MS = 24 * 60 * 60 * 1000;
/** Device certificate lifetime by default. */
export const DEVICE_VALIDITY_DAYS = 365;
/** Device CA lifetime by default. */
export const DEVICE_CA_VALIDITY_DAYS = 3650;
/** notBefore is back-dated so a device whose clock runs a little late still accepts a fresh certificate. */
const BACKDATE_MS = DAY_MS;

/** A certificate with its key and thumbprints. */
export interface IssuedCertificate extends CertificateAndKey {
  /** SHA-1 thumbprint, upper-case hex: what `x509Thumbprint.primaryThumbprint` takes. */
  readonly thumbprint: string;
  /** SHA-256 thumbprint, upper-case hex (IoT Hub accepts it as well). */
  readonly thumbprint256: string;
}

/** Validity of a certificate to issue: from `now` (back-dated a day) for `days`, or explicit dates (tests). */
export interface ValidityOptions {
  readonly now: Date;
  readonly days?: number;
  readonly notBefore?: Date;
  readonly notAfter?: Date;
}

/**
 * A device CA: CN `commonName`, basicConstraints CA:true (critical), keyUsage keyCertSign + cRLSign (critical). Self
 * signed (a root) without `issuer`, an intermediate signed by `issuer` with it.
 */
export async function createDeviceCa(commonName: string, validity: ValidityOptions, issuer?: CertificateAndKey): Promise<IssuedCertificate> {
  return issue(
    commonName,
    validity,
    DEVICE_CA_VALIDITY_DAYS,
    [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    ],
    issuer,
  );
}

/**
 * A device certificate with subject CN `commonName` (the device id, or `<deviceId>/<moduleId>` for a module):
 * keyUsage digitalSignature (critical), EKU clientAuth. Self-signed without `issuer` (register its thumbprint), CA
 * signed with it. Also the proof-of-possession certificate: CN = the verification code, signed by the CA.
 */
export async function issueDeviceCertificate(commonName: string, validity: ValidityOptions, issuer?: CertificateAndKey): Promise<IssuedCertificate> {
  return issue(
    commonName,
    validity,
    DEVICE_VALIDITY_DAYS,
    [
      { name: 'basicConstraints', cA: false, critical: true },
      { name: 'keyUsage', digitalSignature: true, keyAgreement: true, critical: true },
      { name: 'extKeyUsage', clientAuth: true },
    ],
    issuer,
  );
}

/** SHA-1 and SHA-256 thumbprints of a PEM certificate, upper-case hex without separators. */
export function thumbprintsOfPem(certPem: string): { thumbprint: string; thumbprint256: string } {
  const der = new X509Certificate(certPem).raw;
  return {
    thumbprint: createHash('sha1').update(der).digest('hex').toUpperCase(),
    thumbprint256: createHash('sha256').update(der).digest('hex').toUpperCase(),
  };
}

/**
 * `selfsigned` joins the subject into an RFC 4514 string (`CN=<value>`) that is parsed again, so a device id with
 * `,` or `+` (both legal) would be cut there: escape the special characters as RFC 4514 §2.4 says.
 */
function escapeDnValue(value: string): string {
  return value.replace(/[,+"\\<>;=]/g, (char) => `\\${char}`).replace(/^([ #])/, '\\$1').replace(/ $/, '\\ ');
}

type Extensions = NonNullable<Parameters<typeof generate>[1]>['extensions'];

async function issue(commonName: string, validity: ValidityOptions, defaultDays: number, extensions: Extensions, issuer?: CertificateAndKey): Promise<IssuedCertificate> {
  const notBeforeDate = validity.notBefore ?? new Date(validity.now.getTime() - BACKDATE_MS);
  const notAfterDate = validity.notAfter ?? new Date(validity.now.getTime() + (validity.days ?? defaultDays) * DAY_MS);
  const generated = await generate([{ name: 'commonName', value: escapeDnValue(commonName) }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate,
    notAfterDate,
    extensions,
    ...(issuer ? { ca: { key: issuer.keyPem, cert: issuer.certPem } } : {}),
  });
  const certPem = addKeyIdentifiers(generated.cert, {
    issuerKeyPem: issuer?.keyPem ?? generated.private,
    // Self-signed: the authority is the certificate itself.
    authorityKeyId: subjectKeyIdentifierOf(issuer?.certPem ?? generated.cert),
    digest: 'sha256',
  });
  return { certPem, keyPem: generated.private, ...thumbprintsOfPem(certPem) };
}
