import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { connectSnippet, type DeviceTransport } from '../../renderer/features/devices/connect-snippets.js';
import { canBind443, SKIP_443_REASON } from '../helpers/service-sdk.js';
import { startLoopbackHub } from '../helpers/loopback-hub.js';
import type { TestHub } from '../helpers/start-hub.js';

// The Connect tab's samples run exactly as printed: each is written to a .mjs file inside the repo (so the SDK
// packages resolve from node_modules), run with node, and must exit 0 after the hub took its telemetry. MqttWs, AmqpWs
// and Http dial 443 only, so the hub needs 443; MQTT and AMQP stay on ephemeral ports (their strings then carry
// GatewayHostName with that port).

const REPO = fileURLToPath(new URL('../..', import.meta.url));
/** Gitignored scratch folder at the repo root. */
const SCRATCH = join(REPO, '.test-tmp');

function runNode(file: string, timeoutMs: number): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [file], { cwd: REPO, timeout: timeoutMs, env: { ...process.env, NODE_EXTRA_CA_CERTS: '' } }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr });
    });
    child.stdin?.end();
  });
}

const can443 = await canBind443();
const title = 'the Connect tab snippets, run unchanged with node against the hub on port 443';

describe.skipIf(!can443)(can443 ? title : `${title} — SKIPPED: ${SKIP_443_REASON}`, () => {
  let hub: TestHub;
  let dir: string;

  beforeAll(async () => {
    hub = await startLoopbackHub();
    await mkdir(SCRATCH, { recursive: true });
    dir = await mkdtemp(join(SCRATCH, 'snippets-'));
  });

  afterAll(async () => {
    await hub?.dispose();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it.each<DeviceTransport>(['mqtt', 'mqttWs', 'amqp', 'amqpWs', 'http'])('%s: exits 0 and the hub has its telemetry', async (transport) => {
    const deviceId = `snippet-${transport}`;
    await hub.hub.registry.create({ deviceId });
    const snippet = connectSnippet(transport, { connectionString: hub.hub.deviceConnectionString(deviceId), caCertPath: hub.hub.info.caCertPath, amqps: hub.hub.info.ports.amqps });
    const file = join(dir, `${transport}.mjs`);
    await writeFile(file, snippet);
    const result = await runNode(file, 20_000);
    expect(result, result.stderr).toMatchObject({ code: 0 });
    expect(result.stdout).toContain('telemetry sent');
    expect(hub.hub.telemetry.recent(deviceId).map((message) => message.bodyPreview)).toEqual(['{"temperature":21.5}']);
  });
});
