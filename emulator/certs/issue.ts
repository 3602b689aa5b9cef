import { createPrivateKey, randomBytes } from 'node:crypto';

import { generate } from 'selfsigned';

import { addKeyIdentifiers, subjectKeyIdentifierOf } from './key-identifiers.js';
import { caConstraintExtensions } from './name-constraints.js';
import type { SanList } from './san-list.js';

/** A certificate and its private key, both PEM. */
export interface CertificateAndKey {
  certPem: string;
  keyPem: string;
}

const DAY_MS = 24 * 60 * 60 * 1000;
/** Local CA lifetime: long, because users install it in trust stores once. */
export const CA_VALIDITY_DAYS = 3650;
/** Server certificate lifetime: under Apple's 825-day cap for TLS server certificates. */
export const SERVER_VALIDITY_DAYS = 730;
/** notBefore is back-dated so a device whose clock runs a little late still accepts a fresh certificate. */
const BACKDATE_MS = DAY_MS;
const DIGEST = 'sha256';
const RSA_BITS = 2048;

/**
 * Creates the local CA: CN `Twin Studio Local CA <8 hex>` (the suffix tells two installations apart in a trust
 * store), basicConstraints CA:true pathLen 0 and nameConstraints limited to `sans` plus loopback and private ranges
 * (both critical, name-constraints.ts), keyUsage keyCertSign + cRLSign (critical), key identifiers, ~10 years.
 */
export async function createLocalCa(now: Date, sans: SanList): Promise<CertificateAndKey> {
  const commonName = `Twin Studio Local CA ${randomBytes(4).toString('hex')}`;
  const generated = await generate(
    [
      { name: 'commonName', value: commonName },
      { name: 'organizationName', value: 'Twin Studio' },
    ],
    {
      keyType: 'rsa',
      keySize: RSA_BITS,
      algorithm: DIGEST,
      ...validity(now, CA_VALIDITY_DAYS),
      extensions: [
        { name: 'basicConstraints', cA: true, critical: true },
        { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
      ],
    },
  );
  const certPem = addKeyIdentifiers(generated.cert, {
    issuerKeyPem: generated.private,
    // Self-signed: the authority is the certificate itself.
    authorityKeyId: subjectKeyIdentifierOf(generated.cert),
    digest: DIGEST,
    extensions: caConstraintExtensions(sans),
  });
  return { certPem, keyPem: generated.private };
}

/**
 * Issues the TLS server certificate: CN localhost, the given SANs, basicConstraints CA:false, keyUsage
 * digitalSignature + keyEncipherment, EKU serverAuth, key identifiers, ~2 years, signed by `ca`. The new key has
 * the CA key's type (selfsigned signs with the algorithm family of the key it generates).
 */
export async function issueServerCertificate(
  ca: CertificateAndKey,
  sans: SanList,
  now: Date,
): Promise<CertificateAndKey> {
  const keyType = createPrivateKey(ca.keyPem).asymmetricKeyType === 'ec' ? 'ec' : 'rsa';
  const generated = await generate([{ name: 'commonName', value: 'localhost' }], {
    keyType,
    keySize: RSA_BITS,
    algorithm: DIGEST,
    ...validity(now, SERVER_VALIDITY_DAYS),
    ca: { key: ca.keyPem, cert: ca.certPem },
    extensions: [
      { name: 'basicConstraints', cA: false, critical: true },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          ...sans.dnsNames.map((value) => ({ type: 2 as const, value })),
          ...sans.ipAddresses.map((ip) => ({ type: 7 as const, ip })),
        ],
      },
    ],
  });
  const certPem = addKeyIdentifiers(generated.cert, {
    issuerKeyPem: ca.keyPem,
    authorityKeyId: subjectKeyIdentifierOf(ca.certPem),
    digest: DIGEST,
  });
  return { certPem, keyPem: generated.private };
}

function validity(now: Date, days: number): { notBeforeDate: Date; notAfterDate: Date } {
  return {
    notBeforeDate: new Date(now.getTime() - BACKDATE_MS),
    notAfterDate: new Date(now.getTime() + days * DAY_MS),
  };
}
