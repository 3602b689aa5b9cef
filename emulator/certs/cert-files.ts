import { randomBytes } from 'node:crypto';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** File names inside the certificate directory. */
export const CertificateFileNames = {
  caCert: 'ca.pem',
  caKey: 'ca-key.pem',
  serverCert: 'server.pem',
  serverKey: 'server-key.pem',
  sanList: 'san.json',
} as const;

/** Absolute paths of the certificate files in `dir`. */
export type CertificatePaths = { [K in keyof typeof CertificateFileNames]: string };

/** Paths of every certificate file in `dir`. */
export function certificatePaths(dir: string): CertificatePaths {
  return {
    caCert: join(dir, CertificateFileNames.caCert),
    caKey: join(dir, CertificateFileNames.caKey),
    serverCert: join(dir, CertificateFileNames.serverCert),
    serverKey: join(dir, CertificateFileNames.serverKey),
    sanList: join(dir, CertificateFileNames.sanList),
  };
}

/** A certificate file that exists but cannot be used; `path` names it so the user knows what to fix. */
export class CertificateFileError extends Error {
  /** The offending file. */
  readonly path: string;

  constructor(path: string, message: string, options?: { cause?: unknown }) {
    super(`${path}: ${message}`, options);
    this.name = 'CertificateFileError';
    this.path = path;
  }
}

/** The file's UTF-8 text, or undefined when it does not exist. Other read failures throw a CertificateFileError. */
export async function readOptionalFile(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if (isErrno(error, 'ENOENT')) return undefined;
    throw new CertificateFileError(path, `cannot be read (${describe(error)})`, { cause: error });
  }
}

/**
 * Writes through a temporary file and a rename, so a crash never leaves a half-written PEM behind. Private keys get
 * mode 0o600 (owner only); the mode is set when the temporary file is created, so the key is never world-readable.
 */
export async function writeFileAtomic(path: string, text: string, kind: 'private' | 'public'): Promise<void> {
  const temporary = `${path}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(temporary, text, { encoding: 'utf8', mode: kind === 'private' ? 0o600 : 0o644, flag: 'wx' });
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw new CertificateFileError(path, `cannot be written (${describe(error)})`, { cause: error });
  }
}

function isErrno(error: unknown, code: string): boolean {
  return typeof error === 'object' && error !== null && 'code' in error && error.code === code;
}

/** A short reason for an unknown thrown value. */
export function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
