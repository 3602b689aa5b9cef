import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { issueDeviceCertificate } from '../../emulator/certs/device-certificates.js';
import { deriveDeviceKey } from '../../emulator/index.js';
import { startTestHub, type TestHub } from '../helpers/start-hub.js';

// The README's DPS example runs exactly as printed: the fenced block after `<!-- dps-example -->` is written to a
// .mjs file inside the repo (so the SDK packages resolve), run with node and the variables the README names, and
// must provision the device, connect it and print its initial desired properties. The group-key one-liner too.

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const SCRATCH = join(REPO, '.test-tmp');

function run(args: readonly string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, args, { cwd: REPO, timeout: 30_000, env: { ...process.env, ...env } }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr });
    });
  });
}

async function readmeBlock(marker: string): Promise<string> {
  const readme = await readFile(join(REPO, 'README.md'), 'utf8');
  const start = readme.indexOf(marker);
  if (start < 0) throw new Error(`README has no ${marker}`);
  const match = /```js\n([\s\S]*?)```/.exec(readme.slice(start));
  if (!match?.[1]) throw new Error(`no js block after ${marker}`);
  return match[1];
}

describe('the README DPS example', () => {
  let test: TestHub;
  let dir: string;

  beforeAll(async () => {
    test = await startTestHub({ ports: { https: 0 } });
    await mkdir(SCRATCH, { recursive: true });
    dir = await mkdtemp(join(SCRATCH, 'dps-readme-'));
  });

  afterAll(async () => {
    await test?.dispose();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('provisions a group member with the derived key, connects it and prints its initial desired properties', async () => {
    const hub = test.hub;
    const group = await hub.enrollments.putGroup({ enrollmentGroupId: 'readme-fleet', attestation: { type: 'symmetricKey', symmetricKey: {} }, initialTwin: { tags: {}, desired: { interval: 15 } } });
    const groupKey = group.attestation.type === 'symmetricKey' ? group.attestation.symmetricKey.primaryKey : '';

    // The README's one-liner for the derived key, as printed.
    const readme = await readFile(join(REPO, 'README.md'), 'utf8');
    const oneLiner = /`node -e "(.*?)" <group key> <registration id>`/.exec(readme)?.[1];
    expect(oneLiner).toBeDefined();
    const derived = await run(['-e', oneLiner ?? '', groupKey, 'readme-device-1'], {});
    expect(derived.stdout.trim()).toBe(deriveDeviceKey(groupKey, 'readme-device-1'));

    const file = join(dir, 'provision.mjs');
    await writeFile(file, await readmeBlock('<!-- dps-example -->'));
    const result = await run([file], {
      NODE_EXTRA_CA_CERTS: hub.info.caCertPath,
      PROVISIONING_HOST: `localhost:${hub.info.ports.mqtts}`,
      ID_SCOPE: hub.info.provisioning.idScope,
      REGISTRATION_ID: 'readme-device-1',
      DEVICE_KEY: derived.stdout.trim(),
    });
    expect(result, result.stderr).toMatchObject({ code: 0 });
    expect(result.stdout).toContain(`assigned to ${hub.info.hostName} as readme-device-1`);
    expect(result.stdout).toMatch(/desired: \{"interval":15,"\$version":\d+\}/);
    expect(hub.enrollments.getRegistration('readme-device-1')).toMatchObject({ status: 'assigned', enrollmentGroupId: 'readme-fleet' });
  });

  it('provisions an X.509 device over AMQP with its certificate files, connects it and prints its initial desired properties', async () => {
    const hub = test.hub;
    const certificate = await issueDeviceCertificate('readme-x509-1', { now: new Date() });
    await hub.enrollments.putEnrollment({
      registrationId: 'readme-x509-1',
      attestation: { type: 'x509', x509: { clientCertificates: { primary: { certificate: certificate.certPem } } } },
      initialTwin: { tags: {}, desired: { interval: 45 } },
    });
    await writeFile(join(dir, 'device.pem'), certificate.certPem);
    await writeFile(join(dir, 'device-key.pem'), certificate.keyPem);
    const file = join(dir, 'provision-x509.mjs');
    await writeFile(file, await readmeBlock('<!-- dps-x509-example -->'));
    const result = await run([file], {
      NODE_EXTRA_CA_CERTS: hub.info.caCertPath,
      PROVISIONING_HOST: `localhost:${hub.info.ports.amqps}`,
      HUB_MQTTS_PORT: String(hub.info.ports.mqtts),
      ID_SCOPE: hub.info.provisioning.idScope,
      REGISTRATION_ID: 'readme-x509-1',
      CERT_FILE: join(dir, 'device.pem'),
      KEY_FILE: join(dir, 'device-key.pem'),
    });
    expect(result, result.stderr).toMatchObject({ code: 0 });
    expect(result.stdout).toContain(`assigned to ${hub.info.hostName} as readme-x509-1`);
    expect(result.stdout).toMatch(/desired: \{"interval":45,"\$version":\d+\}/);
    expect(hub.registry.get('readme-x509-1').authentication.type).toBe('selfSigned');
  });
});
