import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createSasToken, parseConnectionString } from '../../emulator/index.js';
import { startHubProcess, type HubProcess } from '../helpers/hub-process.js';

// `npm run hub -- --scenario faults.json` (emulator/faults/README.md): a CI job replays the same fault schedule, and
// the same scenario with the same device traffic gives the same traffic, injected faults and seeded losses included.

const SCENARIO = {
  name: 'lossy then dropped',
  seed: 1234,
  steps: [
    { at: 0, fault: 'lossQos0', device: 'd1', fraction: 0.4 },
    { at: 6000, fault: 'drop', device: 'd1' },
    { at: 6000, fault: 'clear', device: 'd1' },
  ],
};

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fault-scenario-'));
  await writeFile(join(dir, 'faults.json'), JSON.stringify(SCENARIO));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

interface Line {
  readonly event: string;
  readonly deviceId?: string;
  readonly direction?: string;
  readonly kind?: string;
  readonly topic?: string;
  readonly payload?: string;
}

/** One run: the CLI hub with the scenario, a device sending 40 QoS 0 messages; resolves with the device's traffic. */
async function run(index: number): Promise<string[]> {
  const dataDir = join(dir, `run-${index}`);
  const hub: HubProcess = await startHubProcess([
    '--data-dir', dataDir, '--memory', '--no-fsync', '--bind', '127.0.0.1', '--mqtts-port', '0', '--https-port', 'off', '--amqps-port', 'off', '--mqtt-port', '0',
    '--device', 'd1', '--scenario', join(dir, 'faults.json'), '--traffic-log',
  ]);
  const lines: Line[] = [];
  const done = new Promise<void>((resolve) => {
    hub.onLine((text) => {
      const line = JSON.parse(text) as Line;
      lines.push(line);
      if (line.event === 'scenarioDone') resolve();
    });
  });
  try {
    const { hostName, ports, devices } = hub.info;
    const key = parseConnectionString(devices.d1 ?? '').SharedAccessKey ?? '';
    const password = createSasToken({ resourceUri: `${hostName}/devices/d1`, base64Key: key, expiresAtSeconds: Math.floor(Date.now() / 1000) + 3600 });
    const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${ports.mqtt}`, { clientId: 'd1', username: `${hostName}/d1/?api-version=2021-04-12`, password, protocolVersion: 4, reconnectPeriod: 0 });
    for (let n = 1; n <= 40; n += 1) await client.publishAsync('devices/d1/messages/events/', `m${n}`, { qos: 0 });
    // QoS 1 is never lost; its PUBACK means every QoS 0 message before it was handled.
    await client.publishAsync('devices/d1/messages/events/', 'end', { qos: 1 });
    await done;
    client.end(true);
  } finally {
    await hub.kill();
  }
  return lines
    .filter((line) => line.event === 'traffic' && (line.deviceId === 'd1' || line.kind === 'fault'))
    .map((line) => `${line.direction} ${line.kind} ${line.deviceId ?? '(hub)'} ${line.topic} ${line.payload}`);
}

describe('a fault scenario run by the CLI', () => {
  it('produces the same traffic twice: the same QoS 0 messages lost, the same drop', async () => {
    const first = await run(1);
    const second = await run(2);
    expect(second).toEqual(first);
    const sent = first.filter((line) => line.startsWith('in telemetry d1 ')).length;
    const lost = first.filter((line) => line.includes('QoS 0 message lost')).length;
    expect(sent).toBe(41);
    expect(lost).toBeGreaterThan(5);
    expect(lost).toBeLessThan(30);
    expect(first.some((line) => line.includes('fault drop → socket destroyed'))).toBe(true);
    expect(first.at(-1)).toMatch(/^in disconnect d1 DISCONNECT|fault clear/);
  }, 120_000);

  it('refuses a bad scenario file with the path of the bad field', async () => {
    await writeFile(join(dir, 'bad.json'), JSON.stringify({ seed: 1, steps: [{ at: 0, fault: 'lossQos0', device: 'd1', fraction: 2 }] }));
    await expect(startHubProcess(['--data-dir', join(dir, 'bad'), '--memory', '--mqtts-port', '0', '--https-port', 'off', '--amqps-port', 'off', '--scenario', join(dir, 'bad.json')])).rejects.toThrow(
      /bad\.json: steps\[0\]\.fraction: must be a number from 0 to 1, got 2/,
    );
  }, 60_000);
});
