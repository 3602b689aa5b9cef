import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import { parseSimArgs } from '../../emulator/cli/sim-args.js';
import { runSimCommand } from '../../emulator/cli/sim-commands.js';
import { createSimulationManager, type SimulationManager } from '../../emulator/index.js';
import { startTestHub, type TestHub } from '../helpers/start-hub.js';
import { eventually } from '../helpers/wait-for.js';

// `npm run sim` commands against a data dir, with and without a live host (the studio or `sim serve`, here an
// in-process hub with its SimulationManager picking the CLI's changes up from simulations.json).

async function sim(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const command = parseSimArgs(argv);
  if (command.name === 'help' || command.name === 'serve') throw new Error('not a data command');
  try {
    const code = await runSimCommand(command, { out: (text) => (out += text), err: (text) => (err += text) });
    return { code, out, err };
  } catch (error) {
    return { code: 1, out, err: err + (error as Error).message };
  }
}

describe('the sim CLI', () => {
  let hub: TestHub | undefined;
  let manager: SimulationManager | undefined;
  let dir: string | undefined;

  afterEach(async () => {
    await manager?.close();
    await hub?.dispose();
    if (dir) await rm(dir, { recursive: true, force: true });
    hub = undefined;
    manager = undefined;
    dir = undefined;
  });

  it('saves simulations while no host runs, and the next host starts them', async () => {
    dir = await mkdtemp(join(tmpdir(), 'twin-sim-cli-'));
    const created = await sim('create', 'plug', '--profile', 'smart-plug', '--count', '2', '--data-dir', dir);
    expect(created).toMatchObject({ code: 0 });
    expect(created.out).toContain('created 2 simulated devices with profile smart-plug');
    expect(created.out).toContain('no hub host is running');
    expect((await sim('pause', 'plug-2', '--data-dir', dir)).code).toBe(0);
    const offline = await sim('list', '--data-dir', dir);
    expect(offline.out).toMatch(/plug-1\s+smart-plug\s+running\s+-/);
    expect(offline.out).toMatch(/plug-2\s+smart-plug\s+paused\s+-/);

    hub = await startTestHub({}, dir);
    manager = await createSimulationManager(hub.hub);
    expect(manager.list().map((simulation) => [simulation.deviceId, simulation.status.state])).toEqual([
      ['plug-1', 'running'],
      ['plug-2', 'paused'],
    ]);
    expect(hub.hub.registry.find('plug-1')).toBeDefined();
  });

  it('changes a running host within a second and waits for it to apply the change', async () => {
    hub = await startTestHub();
    dir = undefined;
    manager = await createSimulationManager(hub.hub, { pollIntervalMs: 200 });
    const dataDir = hub.dataDir;
    const created = await sim('create', 'th', '--profile', 'thermostat', '--data-dir', dataDir);
    expect(created.out).toContain('  th: running');
    expect(manager.get('th')?.status.state).toBe('running');

    const paused = await sim('pause', 'th', '--data-dir', dataDir);
    expect(paused.out).toContain('  th: paused');
    expect(manager.get('th')).toMatchObject({ runState: 'paused', status: { state: 'paused' } });

    const listed = await sim('list', '--data-dir', dataDir, '--json');
    const parsed = JSON.parse(listed.out) as { host: { pid: number }; simulations: { deviceId: string; status: { state: string } }[] };
    expect(parsed.host.pid).toBe(process.pid);
    expect(parsed.simulations).toMatchObject([{ deviceId: 'th', runState: 'paused', status: { state: 'paused' } }]);

    expect((await sim('stop', '--all', '--data-dir', dataDir)).out).toContain('  th: stopped');
    expect((await sim('delete', 'th', '--data-dir', dataDir)).code).toBe(0);
    await eventually(() => manager?.get('th') === undefined, 5000, 'removal');
    expect(hub.hub.registry.find('th')).toBeDefined();
  });

  it('refuses unknown devices, taken ids, bad ids and unknown profiles with clear messages', async () => {
    dir = await mkdtemp(join(tmpdir(), 'twin-sim-cli-'));
    expect(await sim('start', 'ghost', '--data-dir', dir)).toMatchObject({ code: 1, err: 'no simulation for: ghost' });
    await sim('create', 'a', '--profile', 'thermostat', '--data-dir', dir);
    expect(await sim('create', 'a', '--profile', 'thermostat', '--data-dir', dir)).toMatchObject({ code: 1, err: 'already simulated: a' });
    expect((await sim('create', 'bad id', '--profile', 'thermostat', '--data-dir', dir)).err).toContain("The device id 'bad id' is invalid");
    expect((await sim('create', 'b', '--profile', 'toaster', '--data-dir', dir)).err).toBe(
      'unknown profile "toaster"; built-in profiles: firmware-update, get-started, smart-plug, thermostat',
    );
  });

  it('validates profile files and lists every problem with its field', async () => {
    dir = await mkdtemp(join(tmpdir(), 'twin-sim-cli-'));
    const bad = join(dir, 'bad.json');
    await writeFile(bad, JSON.stringify({ name: 'bad', telemetry: { intervalMs: 10, body: {} }, methods: { x: { stauts: 200 } } }));
    const result = await sim('validate', bad, 'assets/profiles/thermostat.json');
    expect(result.code).toBe(1);
    expect(result.out).toBe(
      `${bad}: invalid\n  - telemetry.intervalMs: must be at least 100 ms\n  - methods.x.stauts: is not a known field\n` +
        'assets/profiles/thermostat.json: valid\n',
    );
  });
});
