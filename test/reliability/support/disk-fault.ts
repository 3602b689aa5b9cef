import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmdirSync, writeSync } from 'node:fs';
import { mkdir, mkdtemp, rm, rmdir, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A real file-system fault under a hub data dir that can be switched on and off. */
export interface DiskFault {
  /** How the fault is made (named in test titles and the docs). */
  readonly mechanism: string;
  /** The data dir the hub must use. */
  readonly dir: string;
  /** Makes the hub's next writes fail. */
  inject(): Promise<void>;
  /** Makes them succeed again. */
  heal(): Promise<void>;
  dispose(): Promise<void>;
}

/**
 * Whether this process may mount a tmpfs (root with CAP_SYS_ADMIN, as on the dev machine; usually not in CI
 * containers). As root, chmod does not stop writes, so a small tmpfs is the only way to get a real ENOSPC / EROFS.
 */
export function canMountTmpfs(): boolean {
  if (process.platform !== 'linux') return false;
  const dir = mkdtempSync(join(tmpdir(), 'twin-mount-probe-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', dir], { stdio: 'ignore' });
    execFileSync('umount', [dir], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  } finally {
    rmdirSync(dir);
  }
}

async function mountTmpfs(sizeKiB: number): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'twin-tmpfs-'));
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeKiB}k`, 'tmpfs', dir]);
  return dir;
}

async function unmount(dir: string): Promise<void> {
  // Lazy: a socket or handle the test still holds must not make cleanup fail.
  execFileSync('umount', ['-l', dir], { stdio: 'ignore' });
  await rmdir(dir).catch(() => undefined);
}

/** Fills the file system until not one more page fits: 64 KiB blocks, then 4 KiB, then single bytes. */
function fill(path: string): void {
  const fd = openSync(path, 'a');
  try {
    for (const size of [64 * 1024, 4096, 1]) {
      const block = Buffer.alloc(size, 0x2e);
      for (;;) {
        try {
          writeSync(fd, block);
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code === 'ENOSPC') break;
          throw error;
        }
      }
    }
  } finally {
    closeSync(fd);
  }
}

/** Disk full: a 4 MiB tmpfs, filled by a ballast file; healing deletes the ballast (ENOSPC). */
export async function tmpfsDiskFull(): Promise<DiskFault> {
  const dir = await mountTmpfs(4096);
  const ballast = join(dir, 'ballast.bin');
  return {
    mechanism: 'full tmpfs (ENOSPC)',
    dir,
    inject: async () => fill(ballast),
    heal: () => unlink(ballast),
    dispose: () => unmount(dir),
  };
}

/** Read-only data dir: the same tmpfs remounted read-only, then read-write again (EROFS). */
export async function tmpfsReadOnly(): Promise<DiskFault> {
  const dir = await mountTmpfs(4096);
  const remount = (mode: 'ro' | 'rw') => {
    execFileSync('mount', ['-o', `remount,${mode}`, dir]);
  };
  return {
    mechanism: 'read-only remount (EROFS)',
    dir,
    inject: async () => remount('ro'),
    heal: async () => remount('rw'),
    dispose: () => unmount(dir),
  };
}

/**
 * Fallback without mount rights: a directory where the store writes its temp file, so every write fails with
 * EISDIR at open(), exactly where ENOSPC/EROFS would strike first. A real kernel error, not a mock.
 */
export async function tempPathIsDirectory(): Promise<DiskFault> {
  const dir = await mkdtemp(join(tmpdir(), 'twin-fault-'));
  const temp = join(dir, 'hub.json.tmp');
  return {
    mechanism: 'hub.json.tmp is a directory (EISDIR)',
    dir,
    inject: () => mkdir(temp).then(() => undefined),
    heal: () => rmdir(temp),
    dispose: () => rm(dir, { recursive: true, force: true }),
  };
}
