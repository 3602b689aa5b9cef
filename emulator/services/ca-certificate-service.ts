import { randomBytes, type X509Certificate } from 'node:crypto';

import { commonNameOfCertificate, parseCertificateText, pemOf, thumbprintsOf, validityProblem } from '../auth/x509-credential.js';
import { argumentInvalid, certificateNotFound, certificateVerificationFailed, invalidCertificate } from '../errors/catalogue.js';
import type { CaCertificateRecord } from '../model/ca-certificate.js';
import type { Clock } from '../util/clock.js';
import type { HubData } from './hub-data.js';
import { checkIfMatch } from './identity-rules.js';

/** Certificate resource names as the resource provider allows them. */
const CERTIFICATE_NAME = /^[A-Za-z0-9._-]{1,64}$/;
/** CA certificates per hub (iothub-protocol.md §10: 25). */
export const MAX_CA_CERTIFICATES = 25;

/** What `PUT …/certificates/{name}` carries. */
export interface CaCertificateUpload {
  /** PEM or base64 DER. */
  readonly certificate: string;
  /** `true` skips proof of possession ("automatic verification"). */
  readonly isVerified?: boolean;
}

/**
 * The CA certificates of the hub (iothub-protocol-2.md §1.3): upload, list, get, delete, proof of possession. Every
 * write is a `caCertificatePut`/`caCertificateDeleted` change record, so the list survives a restart; reads see
 * committed records only, writes validate (etags) against the latest ones (services/hub-data.ts). The device
 * authenticator reads the committed records when a certificateAuthority device connects.
 */
export class CaCertificateService {
  constructor(
    private readonly data: HubData,
    private readonly clock: Clock,
  ) {}

  /** Every registered CA certificate, by name. */
  list(): CaCertificateRecord[] {
    return Object.values(this.data.committed.caCertificates).sort((a, b) => a.name.localeCompare(b.name));
  }

  /** One certificate; 404 when there is none of that name. */
  get(name: string): CaCertificateRecord {
    const record = this.list().find((candidate) => candidate.name === name);
    if (!record) throw certificateNotFound(name);
    return record;
  }

  /**
   * Adds or replaces a certificate. Replacing needs the current etag in `ifMatch` (or `*`); new content starts
   * unverified unless `isVerified` is true, the same content keeps its verification.
   */
  async upload(name: string, upload: CaCertificateUpload, ifMatch?: string): Promise<{ record: CaCertificateRecord; created: boolean }> {
    if (!CERTIFICATE_NAME.test(name)) throw argumentInvalid(`The certificate name '${name.slice(0, 80)}' is invalid: use 1-64 letters, digits, '-', '_' or '.'.`);
    const certificate = parseCertificateText(upload.certificate);
    if (!certificate) throw invalidCertificate('properties.certificate must be a PEM certificate or the base64 of its DER bytes.');
    const now = this.clock.now();
    const expired = validityProblem(certificate, now, 'the certificate');
    if (expired?.includes('expired')) throw invalidCertificate(`Cannot upload: ${expired}.`);
    const current = this.data.latestCaCertificate(name);
    if (current) {
      if (ifMatch === undefined) throw argumentInvalid(`The certificate '${name}' exists: send its etag in If-Match to replace it.`);
      const mismatch = checkIfMatch(ifMatch, current.etag);
      if (mismatch) throw mismatch;
    } else if (this.data.latestCaCertificateNames().length >= MAX_CA_CERTIFICATES) {
      throw invalidCertificate(`An IoT hub holds at most ${MAX_CA_CERTIFICATES} CA certificates; delete one first.`);
    }
    const thumbprint = thumbprintsOf(certificate.raw).sha1;
    const sameContent = current?.thumbprint === thumbprint;
    const time = now.toISOString();
    const record: CaCertificateRecord = {
      name,
      certificate: pemOf(certificate),
      subject: subjectOf(certificate),
      thumbprint,
      expiry: new Date(Date.parse(certificate.validTo)).toISOString(),
      isVerified: upload.isVerified === true || (sameContent && current.isVerified),
      created: current?.created ?? time,
      updated: time,
      etag: newEtag(),
      verificationCode: sameContent ? current.verificationCode : null,
    };
    await this.put(record);
    return { record, created: current === undefined };
  }

  /** Deletes a certificate (`ifMatch` required by the SDK; `*` matches any); false when there was none. */
  async delete(name: string, ifMatch?: string): Promise<boolean> {
    const current = this.data.latestCaCertificate(name);
    if (!current) return false;
    const mismatch = checkIfMatch(ifMatch, current.etag);
    if (mismatch) throw mismatch;
    await this.data.write([{ kind: 'caCertificateDeleted', name }], [{ kind: 'caCertificate', name, value: undefined }]);
    return true;
  }

  /** A new proof-of-possession challenge: the CN the verification certificate must carry. */
  async generateVerificationCode(name: string, ifMatch?: string): Promise<CaCertificateRecord> {
    const current = this.latestOrThrow(name, ifMatch);
    const record: CaCertificateRecord = { ...current, verificationCode: randomBytes(24).toString('hex').toUpperCase(), etag: newEtag(), updated: this.clock.now().toISOString() };
    await this.put(record);
    return record;
  }

  /**
   * Proof of possession: `certificateText` must have subject CN = the last verification code, be signed by this CA's
   * key, and be inside its validity period. Success marks the CA verified and uses the code up.
   */
  async verify(name: string, ifMatch: string | undefined, certificateText: string): Promise<CaCertificateRecord> {
    const current = this.latestOrThrow(name, ifMatch);
    if (current.verificationCode === null) throw certificateVerificationFailed(`No verification code is pending for '${name}': call generateVerificationCode first.`);
    const proof = parseCertificateText(certificateText);
    if (!proof) throw invalidCertificate('certificate must be a PEM certificate or the base64 of its DER bytes.');
    const ca = parseCertificateText(current.certificate);
    const commonName = commonNameOfCertificate(proof);
    if (commonName !== current.verificationCode) {
      throw certificateVerificationFailed(`The verification certificate's subject CN is '${commonName ?? '(none)'}', not the verification code '${current.verificationCode}'.`);
    }
    if (!ca || !signedBy(proof, ca)) throw certificateVerificationFailed(`The verification certificate is not signed by the private key of '${name}' (${current.subject}).`);
    const invalid = validityProblem(proof, this.clock.now(), 'the verification certificate');
    if (invalid) throw certificateVerificationFailed(`Cannot verify: ${invalid}.`);
    const record: CaCertificateRecord = { ...current, isVerified: true, verificationCode: null, etag: newEtag(), updated: this.clock.now().toISOString() };
    await this.put(record);
    return record;
  }

  private latestOrThrow(name: string, ifMatch: string | undefined): CaCertificateRecord {
    const current = this.data.latestCaCertificate(name);
    if (!current) throw certificateNotFound(name);
    const mismatch = checkIfMatch(ifMatch, current.etag);
    if (mismatch) throw mismatch;
    return current;
  }

  private put(record: CaCertificateRecord): Promise<void> {
    return this.data.write([{ kind: 'caCertificatePut', record }], [{ kind: 'caCertificate', name: record.name, value: record }]);
  }
}

function signedBy(certificate: X509Certificate, issuer: X509Certificate): boolean {
  try {
    return certificate.checkIssued(issuer) && certificate.verify(issuer.publicKey);
  } catch {
    return false;
  }
}

/** `CN=…, O=…` from Node's multi-line subject. */
function subjectOf(certificate: X509Certificate): string {
  return certificate.subject.split('\n').join(', ');
}

/** Opaque etags in the style of the resource provider (base64 of 8 bytes). */
function newEtag(): string {
  return randomBytes(8).toString('base64');
}
