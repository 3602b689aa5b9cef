import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, describe, expect, expectTypeOf, it } from 'vitest';

import { createEmulator, StoreCorruptError, type EmulatorInfo, type HubEmulator } from '../../emulator/index.js';

describe('createEmulator: the front door (house-style H4)', () => {
  const dirs: string[] = [];
  afterEach(async () => {
    for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
  });
  const tempDir = async () => {
    const dir = await mkdtemp(join(tmpdir(), 'twin-life-'));
    dirs.push(dir);
    return dir;
  };
  const config = (dataDir: string) => ({ dataDir, fsync: false, ports: { mqtts: 0, https: null }, bindAddress: '127.0.0.1' });

  it('has a typed public surface', () => {
    expectTypeOf(createEmulator).returns.toEqualTypeOf<HubEmulator>();
    expectTypeOf<HubEmulator['start']>().returns.resolves.toEqualTypeOf<EmulatorInfo>();
    expectTypeOf<EmulatorInfo['ports']['mqtts']>().toEqualTypeOf<number>();
  });

  it('moves Stopped → Running → Stopped and keeps registry, keys and certificates across restarts', async () => {
    const dataDir = await tempDir();
    const hub = createEmulator(config(dataDir));
    expect(hub.status).toBe('Stopped');
    const info = await hub.start();
    expect(hub.status).toBe('Running');
    expect(info.serviceConnectionString).toMatch(/^HostName=localhost;SharedAccessKeyName=iothubowner;SharedAccessKey=[A-Za-z0-9+/]+=*$/);
    const device = await hub.registry.create({ deviceId: 'keep-me' });
    const ca = await readFile(info.caCertPath, 'utf8');
    await hub.stop();
    expect(hub.status).toBe('Stopped');
    expect(() => hub.registry).toThrow(/not running/);

    const again = createEmulator(config(dataDir));
    const second = await again.start();
    expect(second.serviceConnectionString).toBe(info.serviceConnectionString);
    expect(again.registry.get('keep-me').authentication.symmetricKey).toEqual(device.authentication.symmetricKey);
    expect(await readFile(second.caCertPath, 'utf8')).toBe(ca);
    await again.stop();
  });

  it('refuses to start on a corrupt data file, names it, and leaves it untouched', async () => {
    const dataDir = await tempDir();
    await writeFile(join(dataDir, 'hub.json'), '{"schemaVersion":1,"devices":{');
    const hub = createEmulator(config(dataDir));
    const error = await hub.start().then(() => undefined, (caught: unknown) => caught);
    expect(error).toBeInstanceOf(StoreCorruptError);
    expect((error as Error).message).toContain(join(dataDir, 'hub.json'));
    expect(hub.status).toBe('Stopped');
    expect(await readFile(join(dataDir, 'hub.json'), 'utf8')).toBe('{"schemaVersion":1,"devices":{');
  });

  it('rejects impossible port settings with a message naming the field', () => {
    expect(() => createEmulator({ ports: { mqtts: 70000 } })).toThrow(/ports\.mqtts/);
  });

  it('forgets everything with persistence: memory', async () => {
    const dataDir = await tempDir();
    const hub = createEmulator({ ...config(dataDir), persistence: 'memory' });
    await hub.start();
    await hub.registry.create({ deviceId: 'ephemeral' });
    await hub.stop();
    await hub.start();
    expect(hub.registry.find('ephemeral')).toBeUndefined();
    await hub.stop();
  });
});
