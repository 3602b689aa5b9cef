import type { FileHandle } from 'node:fs/promises';

/**
 * The file operations the journal uses on its segments: the seam through which tests inject a failing disk
 * (as root, permissions do not stop writes, and a full tmpfs needs mount rights).
 */
export interface JournalFileSystem {
  /** Writes all of `data` at `position`. */
  write(handle: FileHandle, data: Buffer, position: number): Promise<void>;
  /** fdatasync: makes written data (and a changed size) durable. */
  datasync(handle: FileHandle): Promise<void>;
  truncate(handle: FileHandle, length: number): Promise<void>;
}

/** The real file system. */
export const nodeJournalFileSystem: JournalFileSystem = {
  async write(handle, data, position) {
    let done = 0;
    // pwrite may write less than asked (rare, e.g. on a nearly full disk): continue where it stopped.
    while (done < data.length) {
      const { bytesWritten } = await handle.write(data, done, data.length - done, position + done);
      if (bytesWritten === 0) throw new Error('the disk accepted no bytes');
      done += bytesWritten;
    }
  },
  datasync: (handle) => handle.datasync(),
  truncate: (handle, length) => handle.truncate(length),
};
