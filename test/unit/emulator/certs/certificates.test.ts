import { execFileSync } from 'node:child_process';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { existsSync } from 'node:fs';
import { cp, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { hostname, networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, createServer } from 'node:tls';
import type { ConnectionOptions } from 'node:tls';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { CertificateFileError } from '../../../../emulator/certs/cert-files.js';
import { ensureCertificates } from '../../../../emulator/certs/certificates.js';
import type { CertificateSet, EnsureCertificatesOptions } from '../../../../emulator/certs/certificates.js';

const OPENSSL = '/usr/bin/openssl';
const hasOpenssl = existsSync(OPENSSL);
const isPosix = process.platform !== 'win32';
const DAY_MS = 24 * 60 * 60 * 1000;
const hasIpv6Loopback = Object.values(networkInterfaces()).some((entries) => entries?.some((e) => e.address === '::1'));

/** Deterministic machine facts so the SAN list does not depend on the test host. */
const fixedMachine: EnsureCertificatesOptions = {
  machineHostName: 'test-box',
  networkInterfaces: {
    eth0: [{ address: '192.168.7.7', netmask: '255.255.255.0', family: 'IPv4', mac: '00:00:00:00:00:01', internal: false, cidr: null }],
  },
};

let root: string;
let dir: string;
let first: CertificateSet;

async function freshCopy(name: string): Promise<string> {
  const copy = join(root, name);
  await cp(dir, copy, { recursive: true });
  return copy;
}

function openssl(args: string[]): string {
  return execFileSync(OPENSSL, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Resolves with `authorized` after a TLS handshake against a server using `set`'s certificate. */
async function handshake(set: CertificateSet, options: ConnectionOptions): Promise<{ authorized: boolean; error?: string }> {
  const server = createServer({ cert: set.serverCertPem, key: set.serverKeyPem }, (socket) => socket.end());
  await new Promise<void>((resolve) => server.listen(0, options.host ?? '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  try {
    return await new Promise((resolve) => {
      const socket = connect({ ...options, port, ca: set.caCertPem }, () => {
        resolve({ authorized: socket.authorized });
        socket.end();
      });
      socket.on('error', (error) => resolve({ authorized: false, error: error.message }));
    });
  } finally {
    server.close();
  }
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'twin-certs-'));
  dir = join(root, 'nested', 'certs');
  first = await ensureCertificates(dir, { ...fixedMachine, hostNames: ['emulator.test'] });
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('first start and restart', () => {
  it('creates the directory, the CA and the server certificate on first start', async () => {
    expect(first.created).toBe(true);
    expect(first.serverCertReissued).toBe(false);
    expect(first.dir).toBe(dir);
    expect(first.caCertPath).toBe(join(dir, 'ca.pem'));
    expect(await readFile(first.caCertPath, 'utf8')).toBe(first.caCertPem);
    expect(await readFile(join(dir, 'server.pem'), 'utf8')).toBe(first.serverCertPem);
    expect(await readFile(join(dir, 'server-key.pem'), 'utf8')).toBe(first.serverKeyPem);
    expect(JSON.parse(await readFile(join(dir, 'san.json'), 'utf8'))).toEqual({
      dnsNames: ['localhost', 'test-box', 'emulator.test'],
      ipAddresses: ['127.0.0.1', '::1', '192.168.7.7'],
    });
  });

  it.runIf(isPosix)('writes private keys with mode 0600', async () => {
    for (const file of ['ca-key.pem', 'server-key.pem']) {
      expect((await stat(join(dir, file))).mode & 0o777).toBe(0o600);
    }
  });

  it('reuses everything on the next start', async () => {
    const again = await ensureCertificates(dir, { ...fixedMachine, hostNames: ['emulator.test'] });
    expect(again.created).toBe(false);
    expect(again.serverCertReissued).toBe(false);
    expect(again.caCertPem).toBe(first.caCertPem);
    expect(again.serverCertPem).toBe(first.serverCertPem);
    expect(again.serverKeyPem).toBe(first.serverKeyPem);
  });

  it('makes a CA with CA:true, keyCertSign/cRLSign, a "Twin Studio Local CA" name and ~10 years of validity', () => {
    const ca = new X509Certificate(first.caCertPem);
    expect(ca.ca).toBe(true);
    expect(ca.subject).toMatch(/^CN=Twin Studio Local CA [0-9a-f]{8}$/m);
    const years = (Date.parse(ca.validTo) - Date.now()) / (365 * DAY_MS);
    expect(years).toBeGreaterThan(9.9);
  });

  it('makes a server certificate for localhost, valid ~2 years, not a CA', () => {
    const server = new X509Certificate(first.serverCertPem);
    expect(server.ca).toBe(false);
    expect(server.subject).toBe('CN=localhost');
    expect(server.checkIssued(new X509Certificate(first.caCertPem))).toBe(true);
    expect(server.keyUsage).toEqual(['1.3.6.1.5.5.7.3.1']);
    const days = (Date.parse(server.validTo) - Date.now()) / DAY_MS;
    expect(days).toBeGreaterThan(700);
    expect(days).toBeLessThan(825);
  });

  it('uses the real host name and network interfaces by default', async () => {
    // A fresh folder: an existing CA's name constraints cover only the names it was made for.
    const set = await ensureCertificates(join(root, 'defaults'));
    const server = new X509Certificate(set.serverCertPem);
    expect(set.sans.dnsNames).toContain(hostname().toLowerCase());
    expect(server.checkHost(hostname(), { subject: 'never' })).toBeDefined();
  });
});

describe.runIf(hasOpenssl)('checked with openssl', () => {
  it('verifies the server certificate against ca.pem, in strict mode too', () => {
    expect(openssl(['verify', '-CAfile', join(dir, 'ca.pem'), join(dir, 'server.pem')])).toMatch(/server\.pem: OK/);
    // -x509_strict is what Python >= 3.13 / urllib3 >= 2.3 enable; it needs key identifiers on both certificates.
    expect(openssl(['verify', '-x509_strict', '-CAfile', join(dir, 'ca.pem'), join(dir, 'server.pem')])).toMatch(/OK/);
  });

  it('shows the SANs, including 127.0.0.1 and ::1, and the expected extensions', () => {
    const text = openssl(['x509', '-in', join(dir, 'server.pem'), '-noout', '-text']);
    expect(text).toContain('DNS:localhost');
    expect(text).toContain('DNS:test-box');
    expect(text).toContain('DNS:emulator.test');
    expect(text).toContain('IP Address:127.0.0.1');
    expect(text).toContain('IP Address:0:0:0:0:0:0:0:1');
    expect(text).toContain('IP Address:192.168.7.7');
    expect(text).toContain('TLS Web Server Authentication');
    expect(text).toContain('X509v3 Authority Key Identifier');
    const caText = openssl(['x509', '-in', join(dir, 'ca.pem'), '-noout', '-text']);
    expect(caText).toMatch(/CA:TRUE/);
    expect(caText).toMatch(/Certificate Sign, CRL Sign/);
    expect(caText).toContain('X509v3 Subject Key Identifier');
  });
});

describe('TLS handshakes', () => {
  it('authorizes a client that trusts ca.pem and asks for localhost', async () => {
    expect(await handshake(first, { host: '127.0.0.1', servername: 'localhost' })).toEqual({ authorized: true });
  });

  it('authorizes a client connecting to 127.0.0.1 by IP', async () => {
    expect(await handshake(first, { host: '127.0.0.1' })).toEqual({ authorized: true });
  });

  it.runIf(hasIpv6Loopback)('authorizes a client connecting to ::1 by IP', async () => {
    expect(await handshake(first, { host: '::1' })).toEqual({ authorized: true });
  });

  it('refuses a host name that is not in the certificate', async () => {
    const result = await handshake(first, { host: '127.0.0.1', servername: 'example.com' });
    expect(result.authorized).toBe(false);
    expect(result.error).toMatch(/example\.com/);
  });
});

describe('re-issuing the server certificate', () => {
  it('keeps the CA when an extra host name is wanted, leaves the name its constraints do not cover out and says so', async () => {
    const copy = await freshCopy('extra-name');
    const caKeyBefore = await readFile(join(copy, 'ca-key.pem'), 'utf8');
    const set = await ensureCertificates(copy, { ...fixedMachine, hostNames: ['emulator.test', 'new-name.lan'] });
    expect(set.created).toBe(false);
    expect(set.caCertPem).toBe(first.caCertPem);
    expect(await readFile(join(copy, 'ca-key.pem'), 'utf8')).toBe(caKeyBefore);
    expect(set.uncovered).toEqual({ dnsNames: ['new-name.lan'], ipAddresses: [] });
    const server = new X509Certificate(set.serverCertPem);
    expect(server.checkHost('new-name.lan', { subject: 'never' })).toBeUndefined();
    expect(await handshake(set, { host: '127.0.0.1', servername: 'emulator.test' })).toEqual({ authorized: true });
  });

  it('re-issues for a new LAN address and keeps the addresses recorded before', async () => {
    const copy = await freshCopy('new-ip');
    const set = await ensureCertificates(copy, {
      machineHostName: 'test-box',
      networkInterfaces: {
        wlan0: [{ address: '10.9.9.9', netmask: '255.0.0.0', family: 'IPv4', mac: '00:00:00:00:00:02', internal: false, cidr: null }],
      },
    });
    expect(set.serverCertReissued).toBe(true);
    const server = new X509Certificate(set.serverCertPem);
    expect(server.checkIP('10.9.9.9')).toBe('10.9.9.9');
    expect(server.checkIP('192.168.7.7')).toBe('192.168.7.7');
    // Back on the old network: still covered, nothing to do.
    const back = await ensureCertificates(copy, fixedMachine);
    expect(back.serverCertReissued).toBe(false);
  });

  it('re-issues when the server certificate expires within 30 days', async () => {
    const copy = await freshCopy('expiring');
    const now = new Date(Date.parse(new X509Certificate(first.serverCertPem).validTo) - 10 * DAY_MS);
    const set = await ensureCertificates(copy, { ...fixedMachine, hostNames: ['emulator.test'], now });
    expect(set.serverCertReissued).toBe(true);
    expect(set.reissueReason).toMatch(/expires/);
    expect(set.caCertPem).toBe(first.caCertPem);
  });

  it('re-issues a corrupt or missing server certificate without touching the CA', async () => {
    const copy = await freshCopy('bad-server');
    await writeFile(join(copy, 'server.pem'), 'garbage');
    const repaired = await ensureCertificates(copy, fixedMachine);
    expect(repaired.serverCertReissued).toBe(true);
    expect(repaired.caCertPem).toBe(first.caCertPem);
    await rm(join(copy, 'server-key.pem'));
    const again = await ensureCertificates(copy, fixedMachine);
    expect(again.serverCertReissued).toBe(true);
    expect(new X509Certificate(again.serverCertPem).checkPrivateKey(createPrivateKey(again.serverKeyPem))).toBe(true);
  });
});

describe('CA problems are reported, never repaired silently', () => {
  it('rejects a corrupt ca.pem with an error naming the file', async () => {
    const copy = await freshCopy('bad-ca');
    await writeFile(join(copy, 'ca.pem'), '-----BEGIN CERTIFICATE-----\nnot really\n-----END CERTIFICATE-----\n');
    const attempt = ensureCertificates(copy, fixedMachine);
    await expect(attempt).rejects.toBeInstanceOf(CertificateFileError);
    await expect(attempt).rejects.toThrow(join(copy, 'ca.pem'));
    expect(await readFile(join(copy, 'ca-key.pem'), 'utf8')).toBe(await readFile(join(dir, 'ca-key.pem'), 'utf8'));
  });

  it('rejects a corrupt ca-key.pem with an error naming the file', async () => {
    const copy = await freshCopy('bad-ca-key');
    await writeFile(join(copy, 'ca-key.pem'), 'oops');
    await expect(ensureCertificates(copy, fixedMachine)).rejects.toThrow(join(copy, 'ca-key.pem'));
  });

  it('rejects a missing ca-key.pem next to an existing ca.pem', async () => {
    const copy = await freshCopy('missing-ca-key');
    await rm(join(copy, 'ca-key.pem'));
    await expect(ensureCertificates(copy, fixedMachine)).rejects.toThrow(/ca-key\.pem: is missing/);
  });

  it('rejects a CA key that belongs to another CA', async () => {
    const other = await ensureCertificates(join(root, 'other-ca'), fixedMachine);
    const copy = await freshCopy('mismatched');
    await cp(join(other.dir, 'ca-key.pem'), join(copy, 'ca-key.pem'));
    await expect(ensureCertificates(copy, fixedMachine)).rejects.toThrow(/does not belong/);
  });
});
