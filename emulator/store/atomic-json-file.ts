import { lstat, open, readFile, realpath, rename, unlink, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';

import type { Adapter } from 'lowdb';

import { StoreCorruptError } from './store-corrupt-error.js';
import { syncDirectory } from './sync-directory.js';

/** Options of {@link AtomicJsonFile}. */
export interface AtomicJsonFileOptions<T> {
  readonly fsync: boolean;
  /**
   * Turns the data into JSON, as text or as chunks written in order with one writev; default `JSON.stringify`.
   * A synchronous serialiser sees the state at the moment of the call; an asynchronous one (which yields to the
   * event loop on large states) must be given data that nobody changes meanwhile (a frozen copy).
   */
  readonly serialize?: (data: T) => string | readonly Buffer[] | Promise<readonly Buffer[]>;
}

/**
 * lowdb adapter that writes atomically: serialise, write a temp file, fsync it, rename it over the data file, fsync
 * the folder. A crash at any point leaves either the old or the new file, never a torn one. Reading refuses
 * (StoreCorruptError) anything that is not valid JSON instead of treating it as empty.
 */
export class AtomicJsonFile<T> implements Adapter<T> {
  constructor(
    private readonly filePath: string,
    private readonly options: AtomicJsonFileOptions<T> = { fsync: true },
  ) {}

  async read(): Promise<T | null> {
    let text: string;
    try {
      text = await readFile(this.filePath, 'utf8');
    } catch (error) {
      if (isErrno(error, 'ENOENT')) return null;
      // EISDIR, EACCES, …: name the file (the bare errno text does not) and leave it alone.
      const code = typeof (error as { code?: unknown }).code === 'string' ? `${(error as { code: string }).code}: ` : '';
      throw new StoreCorruptError(this.filePath, `it cannot be read (${code}${(error as Error).message})`);
    }
    if (text.trim() === '') throw new StoreCorruptError(this.filePath, 'the file is empty');
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      throw new StoreCorruptError(this.filePath, `it is not valid JSON (${(error as Error).message})`);
    }
    // lowdb treats a falsy result as "no file": `null` or `0` must not turn into an empty store.
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new StoreCorruptError(this.filePath, 'it does not hold a JSON object');
    }
    return value as T;
  }

  /** A synchronous serialiser runs before the first await, so the snapshot is the state at the moment of the call. */
  async write(data: T): Promise<void> {
    const content = this.options.serialize ? await this.options.serialize(data) : JSON.stringify(data);
    // A symlinked data file stays a link: the write goes to its target (temp file next to the target, so the rename
    // stays on one file system). Replacing the link by a regular file would silently move the user's data.
    const target = await writeTarget(this.filePath);
    const tempPath = `${target}.tmp`;
    const handle = await open(tempPath, 'w', 0o600);
    try {
      await writeAll(handle, content);
      if (this.options.fsync) await handle.sync();
    } catch (error) {
      await handle.close().catch(() => undefined);
      await unlink(tempPath).catch(() => undefined);
      throw error;
    }
    await handle.close();
    await rename(tempPath, target);
    if (this.options.fsync) await syncDirectory(dirname(target));
  }
}

/** The file a write replaces: the data file, or the final target when the data file is a symbolic link. */
async function writeTarget(filePath: string): Promise<string> {
  try {
    if (!(await lstat(filePath)).isSymbolicLink()) return filePath;
  } catch (error) {
    if (isErrno(error, 'ENOENT')) return filePath;
    throw error;
  }
  try {
    return await realpath(filePath);
  } catch (error) {
    throw new StoreCorruptError(filePath, `it is a symbolic link whose target cannot be resolved (${(error as Error).message})`);
  }
}

async function writeAll(handle: FileHandle, content: string | readonly Buffer[]): Promise<void> {
  if (typeof content === 'string') return handle.writeFile(content, 'utf8');
  const expected = content.reduce((total, chunk) => total + chunk.length, 0);
  const { bytesWritten } = await handle.writev([...content]);
  // libuv loops over partial writes and IOV_MAX; a short count would mean a torn temp file, so refuse it.
  if (bytesWritten !== expected) throw new Error(`short write: ${bytesWritten} of ${expected} bytes`);
}

function isErrno(error: unknown, code: string): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === code;
}
