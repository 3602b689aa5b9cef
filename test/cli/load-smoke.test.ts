import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { parseLoadArgs, type LoadOptions } from '../../emulator/load/load-options.js';
import { formatLoadResult, writeLoadResult } from '../../emulator/load/load-report.js';
import { runLoad } from '../../emulator/load/load-run.js';
import { startTestHub } from '../helpers/start-hub.js';

// The load generator end to end, small: 200 devices against its own in-process hub (the 10,000-device run is a
// benchmark, see emulator/load/README.md), and 20 devices against a hub reached through its REST API.

describe('the load generator', () => {
  const dirs: string[] = [];

  afterAll(async () => {
    await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
  });

  it('runs 200 devices with every operation and a desired fan-out, without errors, and writes the JSON', async () => {
    const options = parseLoadArgs([
      '--devices', '200', '--duration', '3', '--mix', 'reported=1,get=0.5,telemetry=1', '--desired-fanout', '40', '--no-fsync',
    ]) as LoadOptions;
    const result = await runLoad(options);

    expect(result.devices).toMatchObject({ requested: 200, registered: 200, connected: 200 });
    expect(result.targetPerSecond).toEqual({ reported: 200, get: 100, telemetry: 200, desired: 40 });
    expect(result.eventLoopDelayMs.p50).toBeLessThanOrEqual(result.eventLoopDelayMs.max);
    expect(result.errors).toEqual([]);
    expect(result.totals.errors).toBe(0);
    const { connect, reported, get, telemetry, desired, desiredDelivery } = result.operations;
    expect(connect.ok).toBe(200);
    // Each device fires each operation at a random phase within its interval, so 3 s gives about 3 per device.
    expect(reported.ok).toBeGreaterThan(400);
    expect(telemetry.ok).toBeGreaterThan(400);
    expect(get.ok).toBeGreaterThan(200);
    expect(desired.ok).toBeGreaterThan(80);
    expect(desiredDelivery.ok).toBe(desired.ok);
    for (const op of [connect, reported, get, telemetry, desired, desiredDelivery]) {
      expect(op.latencyMs.p50).toBeGreaterThan(0);
      expect(op.latencyMs.p50).toBeLessThanOrEqual(op.latencyMs.p95);
      expect(op.latencyMs.p95).toBeLessThanOrEqual(op.latencyMs.p99);
      expect(op.latencyMs.p99).toBeLessThanOrEqual(op.latencyMs.max);
    }
    expect(result.memory.perDeviceKB).toBeGreaterThan(0);

    const table = formatLoadResult(result);
    expect(table).toMatch(/^reported patch\s+\d+\s+0\s+/m);
    expect(table).toContain('Total: ');
    const dir = await mkdtemp(join(tmpdir(), 'twin-load-out-'));
    dirs.push(dir);
    const path = await writeLoadResult(result, undefined, dir);
    expect(path).toMatch(/bench-results\/load-200-.*\.json$/);
    expect(JSON.parse(await readFile(path, 'utf8'))).toMatchObject({ tool: 'twin-studio-load', devices: { connected: 200 } });
  });

  it('puts load on an existing hub through its REST API and MQTT port', async () => {
    const hub = await startTestHub({ ports: { https: 0 } });
    try {
      const info = hub.hub.info;
      const result = await runLoad({
        ...(parseLoadArgs(['--devices', '20', '--duration', '1', '--mix', 'reported=1,telemetry=1', '--desired-fanout', '10', '--prefix', 'remote-']) as LoadOptions),
        target: {
          kind: 'remote',
          connectionString: info.serviceConnectionString,
          caPath: info.caCertPath,
          mqttsPort: info.ports.mqtts,
          httpsPort: info.ports.https ?? 0,
          connectHost: '127.0.0.1',
        },
      });
      expect(result.devices.connected).toBe(20);
      expect(result.totals.errors).toBe(0);
      expect(result.operations.desiredDelivery.ok).toBe(result.operations.desired.ok);
      expect(hub.hub.registry.find('remote-00020')).toBeDefined();
    } finally {
      await hub.dispose();
    }
  });
});
