import { randomBytes } from 'node:crypto';
import { cp, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { ensureCertificates } from '../../emulator/certs/certificates.js';
import type { Target } from './fleet.js';
import { ServerProcess } from './server/server-process.js';

/** Shared by every scenario of one `npm run bench`. */
export interface BenchContext {
  readonly quick: boolean;
  readonly warmupMs: number;
  readonly measureMs: number;
  /** A fresh data dir holding copies of the run's certificates (saves an RSA key generation per hub start). */
  dataDir(name: string): Promise<string>;
  /** Runs `body` against a fresh server child (hub or raw Aedes) and always stops it. */
  withServer<T>(spec: ServerSpec, body: (target: Target, server: ServerProcess) => Promise<T>): Promise<T>;
  dispose(): Promise<void>;
}

/** Which system under test to start. */
export type ServerSpec =
  | { readonly kind: 'hub'; readonly fsync: boolean; readonly devices: number; readonly https?: boolean; readonly memory?: boolean }
  | { readonly kind: 'raw' };

/** Creates the run's temp folder and certificates. Data goes to the OS temp dir (a real disk here, not tmpfs). */
export async function createBenchContext(options: { quick: boolean; warmupMs: number; measureMs: number }): Promise<BenchContext> {
  const root = await mkdtemp(join(tmpdir(), 'twin-bench-'));
  const certDir = join(root, 'certs');
  await ensureCertificates(certDir, { hostNames: ['localhost'] });
  const deviceKey = randomBytes(32).toString('base64');
  let counter = 0;
  const dataDir = async (name: string) => {
    const dir = join(root, `${name}-${counter++}`);
    await mkdir(dir, { recursive: true });
    await cp(certDir, join(dir, 'certs'), { recursive: true });
    return dir;
  };
  return {
    ...options,
    dataDir,
    async withServer(spec, body) {
      const server = await ServerProcess.spawn();
      try {
        const prefix = 'dev-';
        const started =
          spec.kind === 'raw'
            ? await server.start({ cmd: 'start-raw', certDir })
            : await server.start({
                cmd: 'start-hub', dataDir: await dataDir('hub'), fsync: spec.fsync, memory: spec.memory ?? false, https: spec.https ?? false,
                devices: spec.devices, prefix, deviceKey,
              });
        return await body({ kind: spec.kind, started, prefix, deviceKey }, server);
      } finally {
        await server.stop();
      }
    },
    dispose: () => rm(root, { recursive: true, force: true }),
  };
}
