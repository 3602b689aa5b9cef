import { open, readFile, stat, unlink } from 'node:fs/promises';

/** Options of {@link withFileLock}. */
export interface FileLockOptions {
  /** Give up after this long (default 5 s). */
  readonly timeoutMs?: number;
  /** A lock older than this whose owner cannot be checked is taken over (default 30 s). */
  readonly staleMs?: number;
}

/**
 * Runs `task` while holding `<lockPath>` (created with O_EXCL, holding the owner's pid). The studio (or `sim serve`)
 * and the `sim` CLI both read-modify-write `simulations.json`; the lock keeps one from overwriting the other. A lock
 * left by a process that died is detected (its pid is gone) and taken over.
 */
export async function withFileLock<T>(lockPath: string, task: () => Promise<T>, options: FileLockOptions = {}): Promise<T> {
  await acquire(lockPath, options.timeoutMs ?? 5000, options.staleMs ?? 30_000);
  try {
    return await task();
  } finally {
    await unlink(lockPath).catch(() => undefined);
  }
}

async function acquire(lockPath: string, timeoutMs: number, staleMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const handle = await open(lockPath, 'wx', 0o600);
      await handle.writeFile(JSON.stringify({ pid: process.pid, at: new Date().toISOString() }));
      await handle.close();
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    if (await isStale(lockPath, staleMs)) {
      await unlink(lockPath).catch(() => undefined);
      continue;
    }
    if (Date.now() > deadline) {
      throw new Error(`${lockPath} is held by another process (${await describeOwner(lockPath)}); try again`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function isStale(lockPath: string, staleMs: number): Promise<boolean> {
  const owner = await readOwner(lockPath);
  if (owner === undefined) {
    // Unreadable or half-written: stale only once it is old (its writer may be between open and write).
    const info = await stat(lockPath).catch(() => undefined);
    return info === undefined || Date.now() - info.mtimeMs > staleMs;
  }
  return !isProcessAlive(owner);
}

async function readOwner(lockPath: string): Promise<number | undefined> {
  try {
    const { pid } = JSON.parse(await readFile(lockPath, 'utf8')) as { pid?: unknown };
    return typeof pid === 'number' ? pid : undefined;
  } catch {
    return undefined;
  }
}

async function describeOwner(lockPath: string): Promise<string> {
  const pid = await readOwner(lockPath);
  return pid === undefined ? 'unknown owner' : `pid ${pid}`;
}

/** True when a process with this pid exists (signal 0 only checks; EPERM means it exists but is not ours). */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
