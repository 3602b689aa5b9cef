import { mkdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';

import type { HubChange } from '../model/changes.js';
import type { Logger } from '../logger.js';
import { encodeFrame, type JournalFrame } from './frame-codec.js';
import type { JournalFileSystem } from './journal-file-system.js';
import { listSegments, readJournal, segmentName } from './journal-reader.js';
import { JournalSegment, type SegmentOptions } from './journal-segment.js';
import { syncDirectory } from './sync-directory.js';

/** Options of {@link Journal}. */
export interface JournalOptions {
  readonly fsync: boolean;
  readonly fileSystem: JournalFileSystem;
  readonly preallocateBytes: number;
  readonly logger: Logger;
}

/**
 * The journal directory: append-only segments `<16-digit start seq>.log`, one frame per durable batch. Appends go
 * to the newest segment; compaction rotates to a new one and, once the snapshot holds the old ones, deletes them.
 */
export class Journal {
  private segment: JournalSegment | undefined;
  private lastSeq = 0;
  private readonly segmentOptions: SegmentOptions;

  constructor(
    private readonly dir: string,
    private readonly options: JournalOptions,
  ) {
    this.segmentOptions = { fsync: options.fsync, fileSystem: options.fileSystem, preallocateBytes: options.preallocateBytes };
  }

  /** Seq of the last durable batch. */
  get seq(): number {
    return this.lastSeq;
  }

  /** Bytes of data in the segment being appended to. */
  get currentBytes(): number {
    return this.segment?.dataBytes ?? 0;
  }

  /** Replays every batch after `snapshotSeq` through `apply` and gets ready to append after the last one. */
  async open(snapshotSeq: number, apply: (frame: JournalFrame) => void): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const tail = await readJournal(this.dir, snapshotSeq, apply, this.options.logger);
    this.lastSeq = tail.lastSeq;
    if (tail.segment) {
      const { file, dataEnd, torn } = tail.segment;
      this.segment = await JournalSegment.open(file.path, file.startSeq, dataEnd, this.segmentOptions, torn);
    } else {
      this.segment = await this.createSegment(this.lastSeq + 1);
    }
  }

  /** Appends one batch as the next seq; resolves once durable. Returns the frame's size. */
  async append(changes: readonly HubChange[]): Promise<number> {
    const segment = this.current();
    const frame = encodeFrame({ seq: this.lastSeq + 1, changes });
    await segment.append(frame);
    this.lastSeq += 1;
    return frame.length;
  }

  /** Seals the current segment and starts a new one at the next seq. Call only between batches. */
  async rotate(): Promise<void> {
    const old = this.current();
    await old.seal();
    this.segment = undefined;
    try {
      this.segment = await this.createSegment(this.lastSeq + 1);
    } catch (error) {
      // Keep appending to the old segment: reopen it where its data ends.
      this.segment = await JournalSegment.open(old.path, old.startSeq, old.dataBytes, this.segmentOptions);
      throw error;
    }
  }

  /** Deletes the segments that end before `seq` (the snapshot holds them). */
  async deleteSegmentsBefore(seq: number): Promise<void> {
    const segments = await listSegments(this.dir);
    for (const [i, segment] of segments.entries()) {
      const next = segments[i + 1];
      if (next && next.startSeq <= seq) await unlink(segment.path);
    }
    if (this.options.fsync) await syncDirectory(this.dir);
  }

  /** Closes the current segment (its preallocated zeros stay; they are the end of the data). */
  async close(): Promise<void> {
    await this.segment?.close();
    this.segment = undefined;
  }

  private current(): JournalSegment {
    if (!this.segment) throw new Error('the journal is not open');
    return this.segment;
  }

  private async createSegment(startSeq: number): Promise<JournalSegment> {
    const segment = await JournalSegment.open(join(this.dir, segmentName(startSeq)), startSeq, 0, this.segmentOptions);
    // The new name must survive a crash before the first frame is appended to it.
    if (this.options.fsync) await syncDirectory(this.dir);
    return segment;
  }
}
