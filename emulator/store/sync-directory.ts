import { open } from 'node:fs/promises';

/**
 * fsyncs a folder, which makes a file created, renamed or deleted in it durable on power loss. Best effort: some
 * file systems (and Windows) refuse to open or sync a folder; the files' own syncs still hold.
 */
export async function syncDirectory(dir: string): Promise<void> {
  try {
    const handle = await open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    /* best effort */
  }
}
