import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { EmulatorHost } from '../../main/emulator-host.js';
import { SettingsStore } from '../../main/settings/settings-store.js';

/** An EmulatorHost on free ports with an in-memory hub in a temp folder (certificates still need a folder). */
export async function startStudioHost(): Promise<{ host: EmulatorHost; dataDir: string; dispose: () => Promise<void> }> {
  const dataDir = await mkdtemp(join(tmpdir(), 'twin-studio-host-'));
  const settings = SettingsStore.inMemory({ ports: { mqtts: 0, https: null, mqtt: null, amqps: null }, dataDir, persistence: 'memory' });
  const host = new EmulatorHost({ settings, hostKind: 'browser', emulatorConfig: { bindAddress: '127.0.0.1', fsync: false, disconnectGraceMs: 0 } });
  const status = await host.start();
  if (status.status !== 'Running') throw new Error(`hub did not start: ${status.error}`);
  return {
    host,
    dataDir,
    dispose: async () => {
      await host.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
