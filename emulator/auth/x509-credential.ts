import { createHash, X509Certificate } from 'node:crypto';

import { commonNameOf } from '../certs/subject-name.js';

// The X.509 credential checks of device authentication (iothub-protocol-2.md §1): thumbprints of the presented leaf
// (self-signed identities) and the chain from the leaf to a registered CA (certificateAuthority identities). The
// transports hand over what the TLS handshake presented; the device authenticator decides.

/** A certificate chain a client presented in its TLS handshake: the leaf, then whatever else it sent. */
export interface PresentedCertificate {
  readonly leaf: X509Certificate;
  /** DER of the leaf (its thumbprints are hashes of these bytes). */
  readonly leafDer: Buffer;
  /** The other certificates the client sent (intermediates, maybe the root), in the order sent. */
  readonly others: readonly X509Certificate[];
}

/** Reads a presented chain (DER, leaf first); undefined for an empty chain or one Node cannot parse. */
export function presentedCertificate(chain: readonly Buffer[]): PresentedCertificate | undefined {
  const [leafDer, ...rest] = chain;
  if (!leafDer) return undefined;
  try {
    return { leaf: new X509Certificate(leafDer), leafDer, others: rest.map((der) => new X509Certificate(der)) };
  } catch {
    return undefined;
  }
}

/** SHA-1 and SHA-256 thumbprints of a certificate: upper-case hex of the hash of its DER bytes, no separators. */
export interface Thumbprints {
  readonly sha1: string;
  readonly sha256: string;
}

/** The thumbprints of DER certificate bytes (§1.2). */
export function thumbprintsOf(der: Buffer): Thumbprints {
  return {
    sha1: createHash('sha1').update(der).digest('hex').toUpperCase(),
    sha256: createHash('sha256').update(der).digest('hex').toUpperCase(),
  };
}

/** A stored thumbprint as compared: upper case, without `:` and white space. */
export function normaliseThumbprint(text: string): string {
  return text.replace(/[\s:]/g, '').toUpperCase();
}

/** True when a stored thumbprint is 40 (SHA-1) or 64 (SHA-256) hex digits once normalised. */
export function isThumbprint(text: string): boolean {
  return /^(?:[0-9A-F]{40}|[0-9A-F]{64})$/.test(normaliseThumbprint(text));
}

/** True when either thumbprint of the leaf equals one of the stored ones (primary or secondary, §1.2). */
export function matchesThumbprint(prints: Thumbprints, stored: readonly (string | null)[]): boolean {
  return stored.some((value) => {
    if (value === null || value === '') return false;
    const wanted = normaliseThumbprint(value);
    return wanted === prints.sha1 || wanted === prints.sha256;
  });
}

/** Why a certificate is outside its validity period at `now`, or undefined when it is valid. */
export function validityProblem(certificate: X509Certificate, now: Date, what = 'the client certificate'): string | undefined {
  const notBefore = Date.parse(certificate.validFrom);
  const notAfter = Date.parse(certificate.validTo);
  if (now.getTime() < notBefore) return `${what} is not yet valid (valid from ${new Date(notBefore).toISOString()})`;
  if (now.getTime() > notAfter) return `${what} expired on ${new Date(notAfter).toISOString()}`;
  return undefined;
}

/** The subject common name of a certificate, read from its DER (certs/subject-name.ts). */
export function commonNameOfCertificate(certificate: X509Certificate): string | undefined {
  return commonNameOf(certificate.raw);
}

/** A CA certificate registered on the hub. */
export interface TrustAnchor {
  /** Its name in the hub's certificate list. */
  readonly name: string;
  readonly certificate: X509Certificate;
  /** Proof of possession done (or skipped with `isVerified: true` at upload). */
  readonly verified: boolean;
}

/** Outcome of {@link chainToAnchor}. */
export type ChainResult = { readonly ok: true; readonly anchor: TrustAnchor } | { readonly ok: false; readonly reason: string };

/** Longest chain followed from the leaf to a registered CA (leaf, intermediates, anchor). */
const MAX_CHAIN_DEPTH = 8;

/**
 * Builds the chain from the presented leaf, through the intermediates the client sent, to a registered CA (§1.4):
 * each link must be issued and signed by the next and be inside its validity period; the chain succeeds at the
 * first registered CA that signed the current certificate and is verified. A registered but unverified CA names
 * itself in the reason. No CRL or OCSP checks (the hub does none either).
 */
export function chainToAnchor(presented: PresentedCertificate, anchors: readonly TrustAnchor[], now: Date): ChainResult {
  let current = presented.leaf;
  const used = new Set<X509Certificate>();
  for (let depth = 0; depth < MAX_CHAIN_DEPTH; depth++) {
    const problem = validityProblem(current, now, depth === 0 ? 'the client certificate' : `the intermediate certificate '${current.subject.replace(/\n/g, ', ')}'`);
    if (problem) return { ok: false, reason: problem };
    const signers = anchors.filter((anchor) => signedBy(current, anchor.certificate) || current.fingerprint256 === anchor.certificate.fingerprint256);
    const verified = signers.find((anchor) => anchor.verified);
    if (verified) {
      const anchorProblem = validityProblem(verified.certificate, now, `the CA certificate '${verified.name}'`);
      return anchorProblem ? { ok: false, reason: anchorProblem } : { ok: true, anchor: verified };
    }
    const unverified = signers[0];
    if (unverified) return { ok: false, reason: `the CA certificate '${unverified.name}' that signed the chain is not verified (proof of possession missing)` };
    const next = presented.others.find((candidate) => !used.has(candidate) && candidate.ca && signedBy(current, candidate));
    if (!next) {
      return { ok: false, reason: `unknown CA: no registered CA certificate issued '${current.issuer.replace(/\n/g, ', ')}' (the chain ends there)` };
    }
    used.add(next);
    current = next;
  }
  return { ok: false, reason: `the certificate chain is longer than ${MAX_CHAIN_DEPTH} certificates` };
}

function signedBy(certificate: X509Certificate, issuer: X509Certificate): boolean {
  try {
    return certificate.checkIssued(issuer) && certificate.verify(issuer.publicKey);
  } catch {
    return false;
  }
}

/**
 * The first certificate of an upload as IoT Hub takes it (§1.3): PEM (`-----BEGIN CERTIFICATE-----`) or the bare
 * base64 of the DER; undefined when it is neither.
 */
export function parseCertificateText(text: string): X509Certificate | undefined {
  const pem = /-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/.exec(text);
  const base64 = (pem ? (pem[1] ?? '') : text).replace(/\s+/g, '');
  if (base64 === '' || !/^[A-Za-z0-9+/]+={0,2}$/.test(base64)) return undefined;
  try {
    return new X509Certificate(Buffer.from(base64, 'base64'));
  } catch {
    return undefined;
  }
}

/** A certificate as PEM, 64 characters a line. */
export function pemOf(certificate: X509Certificate): string {
  const lines = certificate.raw.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----\n`;
}
