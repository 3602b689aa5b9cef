import { open, type FileHandle } from 'node:fs/promises';

import type { JournalFileSystem } from './journal-file-system.js';

/** Zeros written per call while preallocating. */
const ZERO_CHUNK = Buffer.alloc(1024 * 1024);

/** Options of {@link JournalSegment}. */
export interface SegmentOptions {
  readonly fileSystem: JournalFileSystem;
  readonly fsync: boolean;
  /** Bytes by which the file is extended ahead of the data (zeros), so a batch's fdatasync leaves the size alone. */
  readonly preallocateBytes: number;
}

/**
 * The segment the journal appends to. Frames go at `position` (the end of valid data); everything after it is
 * zeros or bytes of a failed write, which the next frame overwrites. Appending into preallocated zeros means the
 * per-batch fdatasync writes data only, no size change (about half the latency measured on this disk).
 */
export class JournalSegment {
  private allocated: number;
  /** A write failed: the bytes after `position` must go before anything else is acknowledged. */
  private dirty = false;

  private constructor(
    readonly path: string,
    readonly startSeq: number,
    private readonly handle: FileHandle,
    private position: number,
    size: number,
    private readonly options: SegmentOptions,
  ) {
    this.allocated = size;
  }

  /**
   * Opens (or creates) a segment whose valid data ends at `position`. `torn`: bytes of a cut-short write follow
   * the data; they are cut off before the first new frame, so no leftover of them can outlive it.
   */
  static async open(path: string, startSeq: number, position: number, options: SegmentOptions, torn = false): Promise<JournalSegment> {
    const handle = await openOrCreate(path);
    const { size } = await handle.stat();
    const segment = new JournalSegment(path, startSeq, handle, position, size, options);
    segment.dirty = torn;
    return segment;
  }

  /** Bytes of valid data. */
  get dataBytes(): number {
    return this.position;
  }

  /** Writes one frame at the end of the data and makes it durable. On failure the frame is not part of the data. */
  async append(frame: Buffer): Promise<void> {
    const { fileSystem, fsync } = this.options;
    try {
      if (this.dirty) await this.repair();
      await this.preallocate(frame.length);
      await fileSystem.write(this.handle, frame, this.position);
      if (fsync) await fileSystem.datasync(this.handle);
    } catch (error) {
      // The frame may be partly or wholly on disk, even though the sync failed: it must not come back as data.
      // Cut it off now, before the writers hear 503, so a crash right after cannot replay it; if even that fails,
      // the next append or close tries again before anything else.
      this.dirty = true;
      await this.repair().catch(() => undefined);
      throw error;
    }
    this.position += frame.length;
  }

  /** Cuts the file to its data (preallocated zeros and failed bytes go), syncs and closes it. */
  async seal(): Promise<void> {
    await this.options.fileSystem.truncate(this.handle, this.position);
    if (this.options.fsync) await this.options.fileSystem.datasync(this.handle);
    await this.handle.close();
  }

  /**
   * Closes without sealing: the preallocated zeros stay and mark the end of the data. The bytes of a failed write
   * are cut off first (best effort), so a batch that was answered 503 is not replayed at the next start.
   */
  async close(): Promise<void> {
    if (this.dirty) await this.repair().catch(() => undefined);
    await this.handle.close().catch(() => undefined);
  }

  /**
   * Removes the bytes of a failed write before the next frame is written: a frame that was fully written but whose
   * sync failed was rejected (503) and must not be replayed after a crash.
   */
  private async repair(): Promise<void> {
    await this.options.fileSystem.truncate(this.handle, this.position);
    if (this.options.fsync) await this.options.fileSystem.datasync(this.handle);
    this.allocated = this.position;
    this.dirty = false;
  }

  /**
   * Extends the file with zeros when the frame does not fit. If that fails (disk full), the frame is written
   * anyway and grows the file by its own size: a full disk needs room for the change, not for a whole step.
   */
  private async preallocate(frameBytes: number): Promise<void> {
    if (this.position + frameBytes <= this.allocated) return;
    const target = this.position + frameBytes + this.options.preallocateBytes;
    const { fileSystem, fsync } = this.options;
    // After a failed extension, frames may lie beyond `allocated`: zeros start after the data, never over it.
    let at = Math.max(this.allocated, this.position);
    try {
      while (at < target) {
        const length = Math.min(ZERO_CHUNK.length, target - at);
        await fileSystem.write(this.handle, ZERO_CHUNK.subarray(0, length), at);
        at += length;
      }
      if (fsync) await fileSystem.datasync(this.handle);
      this.allocated = target;
    } catch {
      // Give the partial extension back so the frame itself has room.
      await fileSystem.truncate(this.handle, Math.max(this.position, this.allocated)).catch(() => undefined);
    }
  }
}

async function openOrCreate(path: string): Promise<FileHandle> {
  try {
    return await open(path, 'r+');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    // 'wx+' so a file that appeared meanwhile is not truncated.
    return open(path, 'wx+', 0o600);
  }
}
