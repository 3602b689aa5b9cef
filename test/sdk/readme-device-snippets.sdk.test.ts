import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { startTestHub, type TestHub } from '../helpers/start-hub.js';

// The README's device samples run exactly as printed: each ```js block is cut out of README.md, written to a .mjs file
// inside the repo (so the SDK packages resolve), and run with node and the environment its first comment names.

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const SCRATCH = join(REPO, '.test-tmp');

/** The ```js blocks of the README section with this heading. */
async function readmeBlocks(heading: string): Promise<string[]> {
  const readme = await readFile(join(REPO, 'README.md'), 'utf8');
  const start = readme.indexOf(`\n${heading}\n`);
  if (start < 0) throw new Error(`README has no section ${heading}`);
  const end = readme.indexOf('\n## ', start + heading.length + 2);
  const section = readme.slice(start, end < 0 ? undefined : end);
  return [...section.matchAll(/```js\n([\s\S]*?)```/g)].map((match) => match[1] as string);
}

function runNode(file: string, env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [file], { cwd: REPO, timeout: 20_000, env: { ...process.env, NODE_EXTRA_CA_CERTS: '', ...env } }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr });
    });
  });
}

describe('the README device samples, run unchanged with node', () => {
  let hub: TestHub;
  let dir: string;

  beforeAll(async () => {
    hub = await startTestHub();
    await mkdir(SCRATCH, { recursive: true });
    dir = await mkdtemp(join(SCRATCH, 'readme-'));
  });
  afterAll(async () => {
    await hub?.dispose();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('"Pointing a device app at the hub": connects, reports and exits 0', async () => {
    const [sample] = await readmeBlocks('## Pointing a device app at the hub');
    expect(sample).toContain('NODE_EXTRA_CA_CERTS');
    await hub.hub.registry.create({ deviceId: 'readme-device' });
    const file = join(dir, 'device.mjs');
    await writeFile(file, sample as string);
    const result = await runNode(file, { DEVICE_CONNECTION_STRING: hub.hub.deviceConnectionString('readme-device'), NODE_EXTRA_CA_CERTS: hub.hub.info.caCertPath });
    expect(result, result.stderr).toMatchObject({ code: 0 });
    expect(result.stdout).toContain('reported');
    expect(hub.hub.twins.getServiceTwin('readme-device')).toMatchObject({ properties: { reported: { temperature: 21.5 } } });
  });

  it('"X.509 devices": connects with the certificate the hub issued and exits 0', async () => {
    const [sample] = await readmeBlocks('## X.509 devices');
    const device = await hub.hub.x509.create({ deviceId: 'readme-cam', mode: 'selfSigned' });
    const file = join(dir, 'x509-device.mjs');
    await writeFile(file, sample as string);
    const result = await runNode(file, { DEVICE_CONNECTION_STRING: device.connectionString, HUB_CA: hub.hub.info.caCertPath, DEVICE_CERT: device.certPath, DEVICE_KEY: device.keyPath });
    expect(result, result.stderr).toMatchObject({ code: 0 });
    expect(result.stdout).toContain('connected');
  });
});
