import type { X509Certificate } from 'node:crypto';

import { commonNameOfCertificate, isThumbprint, normaliseThumbprint, parseCertificateText, thumbprintsOf, type Thumbprints } from '../auth/x509-credential.js';
import { dpsBadRequest } from '../errors/dps-catalogue.js';
import { isJsonObject, type JsonObject, type JsonValue } from '../model/json.js';

// The certificates of an X.509 attestation as DPS takes them (iothub-protocol-2.md §2.9, azure-iot-provisioning-
// service `X509Attestation`): `clientCertificates` (an individual enrollment's device certificates), or for a group
// `signingCertificates` (a root or intermediate that signed the members) or `caReferences` (names of CA
// certificates registered on the hub). Each slot is `primary` / `secondary`. The enrollment keeps the JSON as sent;
// this file reads it.

/** A certificate slot: its certificate when one was sent, and its thumbprints (from the certificate or `info`). */
export interface EnrollmentCertificate {
  readonly slot: 'primary' | 'secondary';
  readonly certificate?: X509Certificate;
  readonly thumbprints: Thumbprints;
}

/** The certificates an X.509 attestation names. */
export interface X509EnrollmentCertificates {
  readonly client: readonly EnrollmentCertificate[];
  readonly signing: readonly EnrollmentCertificate[];
  readonly caReferences: readonly { readonly slot: 'primary' | 'secondary'; readonly name: string }[];
}

const SLOTS = ['primary', 'secondary'] as const;

/** Reads the certificates of a stored X.509 attestation; slots that cannot be read are left out. */
export function enrollmentCertificates(x509: JsonObject): X509EnrollmentCertificates {
  return { client: certificateSlots(x509.clientCertificates), signing: certificateSlots(x509.signingCertificates), caReferences: caReferenceSlots(x509.caReferences) };
}

/**
 * Checks an X.509 attestation when an enrollment is saved (400 otherwise): an individual enrollment needs
 * `clientCertificates` (or `caReferences`), a group `signingCertificates` or `caReferences`, and every certificate
 * sent must be a certificate (PEM, base64 DER, or base64 of the PEM).
 */
export function checkX509Attestation(x509: JsonObject, kind: 'individual' | 'group'): void {
  for (const field of ['clientCertificates', 'signingCertificates'] as const) {
    const block = x509[field];
    if (block === undefined || block === null) continue;
    if (!isJsonObject(block)) throw dpsBadRequest(`attestation.x509.${field} must be an object with 'primary' (and 'secondary').`);
    for (const slot of SLOTS) {
      const entry = block[slot];
      if (entry === undefined || entry === null) continue;
      if (!isJsonObject(entry)) throw dpsBadRequest(`attestation.x509.${field}.${slot} must be an object with 'certificate'.`);
      if (entry.certificate !== undefined && entry.certificate !== null && !readCertificate(entry.certificate)) {
        throw dpsBadRequest(`attestation.x509.${field}.${slot}.certificate is not a certificate (PEM or base64).`);
      }
      if ((entry.certificate === undefined || entry.certificate === null) && !infoThumbprints(entry.info)) {
        throw dpsBadRequest(`attestation.x509.${field}.${slot} needs a certificate.`);
      }
    }
  }
  const references = x509.caReferences;
  if (references !== undefined && references !== null) {
    if (!isJsonObject(references)) throw dpsBadRequest("attestation.x509.caReferences must be an object with 'primary' (and 'secondary').");
    for (const slot of SLOTS) {
      const name = references[slot];
      if (name !== undefined && name !== null && typeof name !== 'string') throw dpsBadRequest(`attestation.x509.caReferences.${slot} must be a CA certificate name.`);
    }
  }
  const read = enrollmentCertificates(x509);
  if (kind === 'group' && read.client.length > 0) throw dpsBadRequest('An enrollment group takes signingCertificates or caReferences, not clientCertificates.');
  if (kind === 'individual' && read.client.length === 0 && read.caReferences.length === 0) {
    throw dpsBadRequest('An individual X.509 enrollment needs attestation.x509.clientCertificates.primary.certificate.');
  }
  if (kind === 'group' && read.signing.length === 0 && read.caReferences.length === 0) {
    throw dpsBadRequest('An X.509 enrollment group needs attestation.x509.signingCertificates.primary.certificate or caReferences.primary.');
  }
}

/**
 * The X.509 attestation as DPS returns it: each certificate slot keeps the certificate and gains `info` (subject,
 * thumbprints, issuer, validity, serial number, version), which DPS fills in from the certificate.
 */
export function x509AttestationJson(x509: JsonObject): JsonObject {
  const out: JsonObject = Object.create(null) as JsonObject;
  for (const [field, value] of Object.entries(x509)) out[field] = field === 'clientCertificates' || field === 'signingCertificates' ? withInfo(value) : value;
  return { ...out };
}

function withInfo(block: JsonValue): JsonValue {
  if (!isJsonObject(block)) return block;
  const out: JsonObject = {};
  for (const slot of SLOTS) {
    const entry = block[slot];
    if (entry === undefined) continue;
    if (!isJsonObject(entry) || entry.certificate === undefined || entry.certificate === null) {
      out[slot] = entry;
      continue;
    }
    const certificate = readCertificate(entry.certificate);
    out[slot] = certificate ? { certificate: entry.certificate, info: infoOf(certificate) } : entry;
  }
  return out;
}

function infoOf(certificate: X509Certificate): JsonObject {
  const prints = thumbprintsOf(certificate.raw);
  return {
    subjectName: `CN=${commonNameOfCertificate(certificate) ?? ''}`,
    sha1Thumbprint: prints.sha1,
    sha256Thumbprint: prints.sha256,
    issuerName: certificate.issuer.split('\n').reverse().join(', '),
    notBeforeUtc: new Date(certificate.validFrom).toISOString(),
    notAfterUtc: new Date(certificate.validTo).toISOString(),
    serialNumber: certificate.serialNumber,
    version: 3,
  };
}

function certificateSlots(block: JsonValue | undefined): EnrollmentCertificate[] {
  if (!isJsonObject(block)) return [];
  const slots: EnrollmentCertificate[] = [];
  for (const slot of SLOTS) {
    const entry = block[slot];
    if (!isJsonObject(entry)) continue;
    const certificate = entry.certificate === undefined || entry.certificate === null ? undefined : readCertificate(entry.certificate);
    if (certificate) slots.push({ slot, certificate, thumbprints: thumbprintsOf(certificate.raw) });
    else {
      const prints = infoThumbprints(entry.info);
      if (prints) slots.push({ slot, thumbprints: prints });
    }
  }
  return slots;
}

function caReferenceSlots(block: JsonValue | undefined): X509EnrollmentCertificates['caReferences'] {
  if (!isJsonObject(block)) return [];
  const names: { slot: 'primary' | 'secondary'; name: string }[] = [];
  for (const slot of SLOTS) {
    const name = block[slot];
    if (typeof name === 'string' && name !== '') names.push({ slot, name });
  }
  return names;
}

/** Thumbprints from an `info` block that carries them (an enrollment read back from DPS and sent again). */
function infoThumbprints(info: JsonValue | undefined): Thumbprints | undefined {
  if (!isJsonObject(info)) return undefined;
  const sha1 = typeof info.sha1Thumbprint === 'string' && isThumbprint(info.sha1Thumbprint) ? normaliseThumbprint(info.sha1Thumbprint) : '';
  const sha256 = typeof info.sha256Thumbprint === 'string' && isThumbprint(info.sha256Thumbprint) ? normaliseThumbprint(info.sha256Thumbprint) : '';
  return sha1 === '' && sha256 === '' ? undefined : { sha1, sha256 };
}

/** A certificate as DPS takes it: PEM, base64 of the DER, or base64 of the PEM. */
function readCertificate(value: JsonValue): X509Certificate | undefined {
  if (typeof value !== 'string') return undefined;
  const direct = parseCertificateText(value);
  if (direct) return direct;
  const compact = value.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(compact)) return undefined;
  const decoded = Buffer.from(compact, 'base64').toString('utf8');
  return decoded.includes('-----BEGIN CERTIFICATE-----') ? parseCertificateText(decoded) : undefined;
}
