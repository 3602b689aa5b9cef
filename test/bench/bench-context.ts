import { randomBytes } from 'node:crypto';
import { cp, mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { ensureCertificates } from '../../emulator/certs/certificates.js';
import type { JsonObject } from '../../emulator/index.js';
import type { Target } from './fleet.js';
import { ServerProcess } from './server/server-process.js';

/** Shared by every scenario of one `npm run bench`. */
export interface BenchContext {
  readonly quick: boolean;
  readonly warmupMs: number;
  readonly measureMs: number;
  /** A fresh data dir holding copies of the run's certificates (saves an RSA key generation per hub start). */
  dataDir(name: string): Promise<string>;
  /**
   * A data dir holding `twins` populated twins (`populate.ts`, devices `dev-<i>` with the run's device key), made once
   * per size in a server child through the hub's own services (fsync off, snapshot written on stop) and reused.
   * Callers copy it; never start a hub on it directly.
   */
  seed(twins: number): Promise<string>;
  /** A fresh data dir holding a copy of the seed with `twins` stored twins. */
  seededDataDir(twins: number): Promise<string>;
  /** Size of the seed's `hub.json` (what a compaction rewrites). */
  snapshotBytes(twins: number): Promise<number>;
  /** Seconds each seed took to populate (for the record). */
  readonly seedSeconds: ReadonlyMap<number, number>;
  /** Runs `body` against a fresh server child (hub or raw Aedes) and always stops it. */
  withServer<T>(spec: ServerSpec, body: (target: Target, server: ServerProcess) => Promise<T>): Promise<T>;
  dispose(): Promise<void>;
}

/** Which system under test to start. */
export type ServerSpec =
  | {
      readonly kind: 'hub';
      readonly fsync: boolean;
      /** Devices `dev-0…` registered (with the run's key) before the body runs. */
      readonly devices: number;
      readonly https?: boolean;
      readonly amqps?: boolean;
      readonly memory?: boolean;
      /** Start from a copy of the seed with this many stored twins (see `seed`). */
      readonly storedTwins?: number;
      /** Message routing and the devices' tags (benchmark 9's routed case). */
      readonly routing?: JsonObject;
      readonly deviceTags?: JsonObject;
    }
  | { readonly kind: 'raw' };

/** Creates the run's temp folder and certificates. Data goes to the OS temp dir (a real disk here, not tmpfs). */
export async function createBenchContext(options: { quick: boolean; warmupMs: number; measureMs: number }): Promise<BenchContext> {
  const root = await mkdtemp(join(tmpdir(), 'twin-bench-'));
  const certDir = join(root, 'certs');
  await ensureCertificates(certDir, { hostNames: ['localhost'] });
  const deviceKey = randomBytes(32).toString('base64');
  let counter = 0;
  const seeds = new Map<number, Promise<string>>();
  const seedSeconds = new Map<number, number>();
  const dataDir = async (name: string) => {
    const dir = join(root, `${name}-${counter++}`);
    await mkdir(dir, { recursive: true });
    await cp(certDir, join(dir, 'certs'), { recursive: true });
    return dir;
  };
  const makeSeed = async (twins: number): Promise<string> => {
    const dir = await dataDir(`seed-${twins}`);
    const server = await ServerProcess.spawn();
    const start = performance.now();
    try {
      await server.start({ cmd: 'start-hub', dataDir: dir, fsync: false, memory: false, https: false, devices: 0, prefix: 'dev-', deviceKey });
      await server.request({ cmd: 'populate', twins, prefix: 'dev-', deviceKey }, 1_200_000);
    } finally {
      await server.stop();
    }
    seedSeconds.set(twins, Math.round((performance.now() - start) / 100) / 10);
    return dir;
  };
  const hubDir = async (storedTwins: number | undefined): Promise<string> => {
    const dir = await dataDir('hub');
    if (storedTwins !== undefined) await cp(await seed(storedTwins), dir, { recursive: true });
    return dir;
  };
  const seed = (twins: number): Promise<string> => {
    let made = seeds.get(twins);
    if (!made) {
      made = makeSeed(twins);
      seeds.set(twins, made);
    }
    return made;
  };
  return {
    ...options,
    dataDir,
    seed,
    seedSeconds,
    seededDataDir: hubDir,
    snapshotBytes: async (twins) => (await stat(join(await seed(twins), 'hub.json'))).size,
    async withServer(spec, body) {
      const server = await ServerProcess.spawn();
      try {
        const prefix = 'dev-';
        const started =
          spec.kind === 'raw'
            ? await server.start({ cmd: 'start-raw', certDir })
            : await server.start({
                cmd: 'start-hub', dataDir: await hubDir(spec.storedTwins), fsync: spec.fsync, memory: spec.memory ?? false, https: spec.https ?? false, amqps: spec.amqps ?? false,
                devices: spec.devices, prefix, deviceKey, seeded: spec.storedTwins !== undefined,
                ...(spec.routing ? { routing: spec.routing } : {}),
                ...(spec.deviceTags ? { deviceTags: spec.deviceTags } : {}),
              });
        return await body({ kind: spec.kind, started, prefix, deviceKey }, server);
      } finally {
        await server.stop();
      }
    },
    dispose: () => rm(root, { recursive: true, force: true }),
  };
}
