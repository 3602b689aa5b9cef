import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { humanHubOutput, startHubProcess } from '../helpers/hub-process.js';

// `npm run hub` prints the DPS id scope and service connection string: in its `--json` ready line and in the human
// output, the same values for the same data folder.

const PORTS = ['--mqtts-port', '0', '--https-port', '0', '--https-fallback', 'off', '--amqps-port', 'off'];

describe('the hub CLI and DPS', () => {
  const dirs: string[] = [];

  afterAll(async () => {
    await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
  });

  it('prints the id scope and the DPS service connection string in the ready line and the human output', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'hub-dps-cli-'));
    dirs.push(dataDir);
    const running = await startHubProcess(['--data-dir', dataDir, ...PORTS]);
    const { idScope, serviceConnectionString } = running.info.provisioning;
    await running.kill();
    expect(idScope).toMatch(/^0ne[0-9A-F]{8}$/);
    expect(serviceConnectionString).toMatch(/^HostName=[^;]+;SharedAccessKeyName=provisioningserviceowner;SharedAccessKey=[A-Za-z0-9+/]+=*$/);
    const printed = await humanHubOutput(['--data-dir', dataDir, ...PORTS]);
    expect(printed).toContain(`ID scope          ${idScope}`);
    expect(printed).toContain(`service (DPS)     ${serviceConnectionString}`);
  });
});
