import { createPrivateKey, X509Certificate } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';

import { CertificateFileError, describe, readOptionalFile, writeFileAtomic } from './cert-files.js';
import { createDeviceCa, thumbprintsOfPem, type IssuedCertificate } from './device-certificates.js';

/** File names of the device CA inside the certificate directory (next to the hub's own `ca.pem`). */
export const DeviceCaFileNames = { cert: 'device-ca.pem', key: 'device-ca-key.pem' } as const;

/** The common name of the built-in device CA. */
export const DEVICE_CA_COMMON_NAME = 'Twin Studio Device CA';

/** The device CA and where its files are. */
export interface DeviceCa extends IssuedCertificate {
  readonly certPath: string;
  readonly keyPath: string;
  /** True when this call created it. */
  readonly created: boolean;
}

/**
 * The built-in device CA in `dir` (`device-ca.pem`, `device-ca-key.pem` mode 0o600), created on first use: the CA
 * that signs "CA-signed" test devices and that the hub registers and verifies for them. It is not the hub's server
 * CA (`ca.pem`): users trust that one system-wide, this one only signs device certificates. A damaged or expired
 * pair is reported with a {@link CertificateFileError}, never silently replaced (devices may use certificates it
 * signed).
 */
export async function ensureDeviceCa(dir: string, now: Date): Promise<DeviceCa> {
  const certPath = join(dir, DeviceCaFileNames.cert);
  const keyPath = join(dir, DeviceCaFileNames.key);
  const certPem = await readOptionalFile(certPath);
  const keyPem = await readOptionalFile(keyPath);
  if (certPem === undefined && keyPem === undefined) {
    await mkdir(dir, { recursive: true });
    const ca = await createDeviceCa(DEVICE_CA_COMMON_NAME, { now });
    await writeFileAtomic(keyPath, ca.keyPem, 'private');
    await writeFileAtomic(certPath, ca.certPem, 'public');
    return { ...ca, certPath, keyPath, created: true };
  }
  const fix = 'restore it, or delete both device CA files to create a new device CA (certificates it signed stop working)';
  if (certPem === undefined) throw new CertificateFileError(certPath, `is missing while ${keyPath} exists; ${fix}`);
  if (keyPem === undefined) throw new CertificateFileError(keyPath, `is missing while ${certPath} exists; ${fix}`);
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(certPem);
    if (!certificate.checkPrivateKey(createPrivateKey(keyPem))) throw new Error(`${keyPath} does not belong to it`);
  } catch (error) {
    throw new CertificateFileError(certPath, `cannot be used (${describe(error)}); ${fix}`, { cause: error });
  }
  if (Date.parse(certificate.validTo) <= now.getTime()) throw new CertificateFileError(certPath, `expired on ${certificate.validTo}; ${fix}`);
  return { certPem, keyPem, ...thumbprintsOfPem(certPem), certPath, keyPath, created: false };
}
