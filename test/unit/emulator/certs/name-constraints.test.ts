import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, createServer } from 'node:tls';

import { generate } from 'selfsigned';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { ensureCertificates, type CertificateSet, type EnsureCertificatesOptions } from '../../../../emulator/certs/certificates.js';

/**
 * The local CA is constrained (issue 11, item 10): users trust it system-wide, so it must not be a universal issuer.
 * Checked by real TLS handshakes (OpenSSL via node:tls): the hub's own names and addresses verify, a certificate the
 * same CA key signs for any other name does not, and an old unconstrained CA is replaced.
 */
const machine: EnsureCertificatesOptions = {
  machineHostName: 'test-box',
  hostNames: ['emulator.test'],
  networkInterfaces: {
    eth0: [{ address: '192.168.7.7', netmask: '255.255.255.0', family: 'IPv4', mac: '00:00:00:00:00:01', internal: false, cidr: null }],
    eth1: [{ address: '203.0.113.9', netmask: '255.255.255.0', family: 'IPv4', mac: '00:00:00:00:00:02', internal: false, cidr: null }],
  },
};

let root: string;
let set: CertificateSet;

async function handshake(cert: string, key: string, ca: string, servername: string | undefined, host = '127.0.0.1'): Promise<string> {
  const server = createServer({ cert, key }, (socket) => socket.end());
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const { port } = server.address() as AddressInfo;
  try {
    return await new Promise((resolve) => {
      const socket = connect({ host, port, ca, ...(servername === undefined ? {} : { servername }) }, () => {
        resolve(socket.authorized ? 'ok' : String(socket.authorizationError));
        socket.end();
      });
      socket.on('error', (error) => resolve(error.message));
    });
  } finally {
    server.close();
  }
}

async function leafFor(names: { dns?: string; ip?: string }): Promise<{ cert: string; key: string }> {
  const caPem = await readFile(join(root, 'certs', 'ca.pem'), 'utf8');
  const caKey = await readFile(join(root, 'certs', 'ca-key.pem'), 'utf8');
  const altNames = [...(names.dns ? [{ type: 2 as const, value: names.dns }] : []), ...(names.ip ? [{ type: 7 as const, ip: names.ip }] : [])];
  const made = await generate([{ name: 'commonName', value: names.dns ?? 'x' }], {
    keySize: 2048,
    algorithm: 'sha256',
    ca: { key: caKey, cert: caPem },
    extensions: [{ name: 'subjectAltName', altNames }],
  });
  return { cert: made.cert, key: made.private };
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'twin-nc-'));
  set = await ensureCertificates(join(root, 'certs'), machine);
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('the constrained local CA', () => {
  it.each([
    ['localhost', undefined],
    ['test-box', undefined],
    ['emulator.test', undefined],
    [undefined, '127.0.0.1'],
    [undefined, '192.168.7.7'],
    [undefined, '203.0.113.9'],
  ])('verifies the hub server certificate for %s %s', async (servername, ip) => {
    // A connection by IP checks the IP SAN (no SNI).
    expect(await handshake(set.serverCertPem, set.serverKeyPem, set.caCertPem, servername)).toBe('ok');
    if (ip !== undefined) expect(set.sans.ipAddresses).toContain(ip);
  });

  it('refuses a certificate the same CA key signs for another name or a public address', async () => {
    const bank = await leafFor({ dns: 'bank.example' });
    expect(await handshake(bank.cert, bank.key, set.caCertPem, 'bank.example')).toMatch(/name constraint|permitted subtree|PERMITTED_VIOLATION/i);
    const publicIp = await leafFor({ dns: 'localhost', ip: '8.8.8.8' });
    expect(await handshake(publicIp.cert, publicIp.key, set.caCertPem, 'localhost')).toMatch(/name constraint|permitted subtree|PERMITTED_VIOLATION/i);
  });

  it.runIf(existsSync('/usr/bin/openssl'))('is critical CA:TRUE with pathlen 0 and critical name constraints', () => {
    const text = execFileSync('/usr/bin/openssl', ['x509', '-in', join(root, 'certs', 'ca.pem'), '-noout', '-text'], { encoding: 'utf8' });
    expect(text).toMatch(/Basic Constraints: critical\s+CA:TRUE, pathlen:0/);
    expect(text).toMatch(/Name Constraints: critical\s+Permitted:\s+DNS:localhost/);
    expect(text).toContain('IP:192.168.0.0/255.255.0.0');
  });

  it('replaces a CA without constraints and says why', async () => {
    const dir = join(root, 'old');
    const old = await generate([{ name: 'commonName', value: 'Twin Studio Local CA old' }], {
      keySize: 2048,
      algorithm: 'sha256',
      extensions: [{ name: 'basicConstraints', cA: true, critical: true }, { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true }],
    });
    await ensureCertificates(dir, machine);
    await writeFile(join(dir, 'ca.pem'), old.cert);
    await writeFile(join(dir, 'ca-key.pem'), old.private);
    const renewed = await ensureCertificates(dir, machine);
    expect(renewed.created).toBe(true);
    expect(renewed.caReplacedReason).toMatch(/no name constraints/);
    expect(renewed.caCertPem).not.toBe(old.cert);
    expect(await handshake(renewed.serverCertPem, renewed.serverKeyPem, renewed.caCertPem, 'localhost')).toBe('ok');
  });
});
