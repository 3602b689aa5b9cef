import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

import { decodeFrame } from '../../emulator/store/frame-codec.js';
import { nodeJournalFileSystem, type JournalFileSystem } from '../../emulator/store/journal-file-system.js';

/** The segment files of a data dir, oldest first. */
export async function segmentPaths(dataDir: string): Promise<string[]> {
  const dir = join(dataDir, 'journal');
  const names = (await readdir(dir)).filter((name) => name.endsWith('.log')).sort();
  return names.map((name) => join(dir, name));
}

/** Start offsets and sizes of the valid frames of a segment file. */
export async function frameSpans(path: string): Promise<{ offset: number; bytes: number }[]> {
  const buffer = await readFile(path);
  const spans: { offset: number; bytes: number }[] = [];
  for (let offset = 0; ; ) {
    const decoded = decodeFrame(buffer, offset);
    if (decoded.kind !== 'frame') return spans;
    spans.push({ offset, bytes: decoded.bytes });
    offset += decoded.bytes;
  }
}

/** A file system whose segment writes or syncs fail while switched on, like a full or failing disk. */
export class FaultySegments implements JournalFileSystem {
  failWrites = false;
  failSyncs = false;
  /** Writes longer than this fail with ENOSPC (a nearly full disk: room for a frame, not for preallocation). */
  maxWriteBytes = Infinity;

  async write(...args: Parameters<JournalFileSystem['write']>): Promise<void> {
    if (this.failWrites || args[1].length > this.maxWriteBytes) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    return nodeJournalFileSystem.write(...args);
  }

  async datasync(...args: Parameters<JournalFileSystem['datasync']>): Promise<void> {
    if (this.failSyncs) throw Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' });
    return nodeJournalFileSystem.datasync(...args);
  }

  /** Shrinking a file needs no free space, so it keeps working on a full disk. */
  async truncate(...args: Parameters<JournalFileSystem['truncate']>): Promise<void> {
    return nodeJournalFileSystem.truncate(...args);
  }
}
