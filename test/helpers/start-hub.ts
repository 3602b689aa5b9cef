import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { createEmulator, type EmulatorConfig, type HubEmulator } from '../../emulator/index.js';

/** A hub started on free ports in a fresh temp data dir, with a disposer that stops it and removes the dir. */
export interface TestHub {
  readonly hub: HubEmulator;
  readonly dataDir: string;
  /** Stops the hub (idempotent) without deleting its data. */
  stop(): Promise<void>;
  /** Stops the hub and deletes its data dir. */
  dispose(): Promise<void>;
}

/** Starts a hub for a test: port 0 everywhere (AMQP too), no HTTPS unless asked, fsync off unless asked. */
export async function startTestHub(config: EmulatorConfig = {}, dataDir?: string): Promise<TestHub> {
  const dir = dataDir ?? (await mkdtemp(join(tmpdir(), 'twin-hub-')));
  const hub = createEmulator({
    dataDir: dir,
    fsync: false,
    disconnectGraceMs: 0,
    bindAddress: '127.0.0.1',
    ...config,
    ports: { mqtts: 0, https: null, mqtt: null, httpsFallback: null, amqps: 0, ...config.ports },
  });
  await hub.start();
  return {
    hub,
    dataDir: dir,
    stop: () => hub.stop(),
    dispose: async () => {
      await hub.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
