import { createHash, sign, X509Certificate } from 'node:crypto';
import type { KeyObject } from 'node:crypto';

import { childrenOf, contentOf, DerTag, encodeElement, rawOf, readElement } from './der.js';
import type { DerElement } from './der.js';

/*
 * Why this file exists: `selfsigned` 5 cannot emit the Subject/Authority Key Identifier extensions, and OpenSSL's
 * strict verification (`X509_V_FLAG_X509_STRICT`) rejects a chain without them ("Missing Authority Key Identifier",
 * "Missing Subject Key Identifier"). Python ≥ 3.13 `ssl.create_default_context()` and urllib3 ≥ 2.3 turn that flag on,
 * so a device or service app in Python would refuse our certificates. We add both extensions to the generated
 * certificate and re-sign it with the issuer key; everything else in the certificate is kept byte for byte.
 */

/** DER of the OIDs 2.5.29.14 (subjectKeyIdentifier) and 2.5.29.35 (authorityKeyIdentifier), tag and length included. */
const SKI_OID = Buffer.from([0x06, 0x03, 0x55, 0x1d, 0x0e]);
const AKI_OID = Buffer.from([0x06, 0x03, 0x55, 0x1d, 0x23]);

/** Input of {@link addKeyIdentifiers}. */
export interface KeyIdentifierOptions {
  /** Private key of the issuer (the CA's own key for the self-signed CA), PEM. */
  issuerKeyPem: string;
  /** Key identifier of the issuer, i.e. its SubjectKeyIdentifier (see {@link subjectKeyIdentifierOf}). */
  authorityKeyId: Buffer;
  /** Digest used by the certificate's signature algorithm. */
  digest: 'sha256';
  /** Further extensions (whole DER `Extension`s); an existing extension with the same OID is replaced. */
  extensions?: readonly Buffer[];
}

/**
 * Returns `certPem` with SubjectKeyIdentifier (RFC 5280 §4.2.1.2 method 1: SHA-1 of the subjectPublicKey bits) and
 * AuthorityKeyIdentifier (`keyIdentifier` = `authorityKeyId`) extensions, re-signed with the issuer key. Existing
 * key-identifier extensions are replaced.
 */
export function addKeyIdentifiers(certPem: string, options: KeyIdentifierOptions): string {
  const der = pemToDer(certPem);
  const [tbs, signatureAlgorithm] = childrenOf(der, readElement(der, 0));
  if (tbs === undefined || signatureAlgorithm === undefined) throw new Error('certificate: missing TBSCertificate');
  const subjectKeyId = keyIdOfPublicKey(new X509Certificate(certPem).publicKey);
  const added = [
    ...(options.extensions ?? []),
    extension(SKI_OID, encodeElement(DerTag.OctetString, subjectKeyId)),
    extension(AKI_OID, encodeElement(DerTag.Sequence, encodeElement(DerTag.ContextPrimitive0, options.authorityKeyId))),
  ];
  const newTbs = replaceExtensions(der, tbs, added);
  const signature = sign(options.digest, newTbs, options.issuerKeyPem);
  const signatureBits = encodeElement(DerTag.BitString, Buffer.concat([Buffer.from([0]), signature]));
  const certificate = encodeElement(
    DerTag.Sequence,
    Buffer.concat([newTbs, rawOf(der, signatureAlgorithm), signatureBits]),
  );
  return derToPem(certificate);
}

/**
 * The certificate's SubjectKeyIdentifier if it has one, otherwise the RFC 5280 method-1 identifier of its public key
 * (what {@link addKeyIdentifiers} would give it). Used as the AuthorityKeyIdentifier of certificates it issues.
 */
export function subjectKeyIdentifierOf(certPem: string): Buffer {
  const der = pemToDer(certPem);
  const [tbs] = childrenOf(der, readElement(der, 0));
  if (tbs === undefined) throw new Error('certificate: missing TBSCertificate');
  for (const ext of extensionsOf(der, tbs)) {
    const [oid, ...rest] = childrenOf(der, ext);
    const value = rest.at(-1);
    if (oid === undefined || value === undefined || !rawOf(der, oid).equals(SKI_OID)) continue;
    const inner = readElement(contentOf(der, value), 0);
    return Buffer.from(contentOf(contentOf(der, value), inner));
  }
  return keyIdOfPublicKey(new X509Certificate(certPem).publicKey);
}

function keyIdOfPublicKey(publicKey: KeyObject): Buffer {
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  const [, bits] = childrenOf(spki, readElement(spki, 0));
  if (bits === undefined || bits.tag !== DerTag.BitString) throw new Error('public key: missing subjectPublicKey');
  // Skip the BIT STRING's leading "unused bits" byte.
  return createHash('sha1').update(contentOf(spki, bits).subarray(1)).digest();
}

function extension(oid: Buffer, value: Buffer): Buffer {
  return encodeElement(DerTag.Sequence, Buffer.concat([oid, encodeElement(DerTag.OctetString, value)]));
}

function extensionsOf(der: Buffer, tbs: DerElement): DerElement[] {
  const wrapper = childrenOf(der, tbs).find((child) => child.tag === DerTag.ExtensionsWrapper);
  if (wrapper === undefined) return [];
  const [sequence] = childrenOf(der, wrapper);
  return sequence === undefined ? [] : childrenOf(der, sequence);
}

function oidOf(der: Buffer, ext: DerElement): Buffer | undefined {
  const [oid] = childrenOf(der, ext);
  return oid === undefined ? undefined : rawOf(der, oid);
}

/** Rebuilds the TBSCertificate with `added` appended to its extensions (dropping old ones with the same OIDs). */
function replaceExtensions(der: Buffer, tbs: DerElement, added: readonly Buffer[]): Buffer {
  const replaced = added.map((ext) => oidOf(ext, readElement(ext, 0))).filter((oid): oid is Buffer => oid !== undefined);
  const kept = extensionsOf(der, tbs)
    .filter((ext) => !replaced.some((oid) => oidOf(der, ext)?.equals(oid)))
    .map((ext) => rawOf(der, ext));
  const wrapper = encodeElement(
    DerTag.ExtensionsWrapper,
    encodeElement(DerTag.Sequence, Buffer.concat([...kept, ...added])),
  );
  const fields = childrenOf(der, tbs)
    .filter((child) => child.tag !== DerTag.ExtensionsWrapper)
    .map((child) => rawOf(der, child));
  // Extensions are the last TBSCertificate field (RFC 5280 §4.1); the version is already v3 for selfsigned output.
  return encodeElement(DerTag.Sequence, Buffer.concat([...fields, wrapper]));
}

function pemToDer(pem: string): Buffer {
  const match = /-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/.exec(pem);
  if (match === null) throw new Error('certificate: no PEM CERTIFICATE block');
  return Buffer.from((match[1] ?? '').replace(/\s+/g, ''), 'base64');
}

function derToPem(der: Buffer): string {
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----\n`;
}
