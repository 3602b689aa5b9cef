import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

import type { Logger } from '../logger.js';
import { decodeFrame, findValidFrame, type JournalFrame } from './frame-codec.js';
import { changesProblem } from './record-schema.js';
import { StoreCorruptError } from './store-corrupt-error.js';

/** A segment file name: the seq of its first frame, 16 digits, so names sort by seq. */
const SEGMENT_NAME = /^(\d{16})\.log$/;

/** A segment file of the journal directory. */
export interface SegmentFile {
  readonly path: string;
  readonly startSeq: number;
}

/** Where the journal ends, for the writer. */
export interface JournalTail {
  /** Seq of the last valid frame (the snapshot's seq when the journal adds nothing). */
  readonly lastSeq: number;
  /** The last segment and the end of its valid data, or undefined when there is no segment. */
  readonly segment: { readonly file: SegmentFile; readonly dataEnd: number; readonly torn: boolean } | undefined;
  /** Every segment, oldest first. */
  readonly segments: readonly SegmentFile[];
}

/** The file name of the segment whose first frame is `startSeq`. */
export function segmentName(startSeq: number): string {
  return `${String(startSeq).padStart(16, '0')}.log`;
}

/** The segments in `dir`, oldest first (other files are ignored). */
export async function listSegments(dir: string): Promise<SegmentFile[]> {
  const names = await readdir(dir);
  return names
    .map((name) => ({ name, match: SEGMENT_NAME.exec(name) }))
    .filter((entry) => entry.match !== null)
    .map((entry) => ({ path: join(dir, entry.name), startSeq: Number(entry.match?.[1]) }))
    .sort((a, b) => a.startSeq - b.startSeq);
}

/**
 * Reads the journal and hands every frame after `snapshotSeq` to `apply`, in order. An invalid frame with no valid
 * frame anywhere after it is a torn tail (a write cut short by a crash): it is dropped with a warning, and the
 * writer overwrites it. An invalid frame followed by a valid one, a gap in the seqs, or a journal that starts
 * after the snapshot ends, is damage: StoreCorruptError naming the segment and byte offset, nothing is replaced.
 */
export async function readJournal(dir: string, snapshotSeq: number, apply: (frame: JournalFrame) => void, logger: Logger): Promise<JournalTail> {
  const all = await listSegments(dir);
  // A segment is covered by the snapshot when the next one starts at or before the snapshot's end (a compaction
  // that stopped before deleting it); it is left for the next compaction to delete.
  const needed = all.filter((segment, i) => (all[i + 1]?.startSeq ?? Infinity) > snapshotSeq + 1);
  const first = needed[0];
  if (first && first.startSeq > snapshotSeq + 1) {
    throw new StoreCorruptError(first.path, `the journal starts at batch ${first.startSeq}, but the snapshot ends at batch ${snapshotSeq}`);
  }
  const buffers = await Promise.all(needed.map((segment) => readFile(segment.path)));
  let expected = first?.startSeq ?? snapshotSeq + 1;
  let dataEnd = 0;
  let torn = false;
  for (const [i, segment] of needed.entries()) {
    if (segment.startSeq !== expected) {
      throw new StoreCorruptError(segment.path, `the segment starts at batch ${segment.startSeq}, expected ${expected}`);
    }
    const buffer = buffers[i] ?? Buffer.alloc(0);
    const laterValid = () => buffers.slice(i + 1).some((later) => findValidFrame(later, 0) >= 0);
    // Zeros end a segment's data (the next segment continues); bytes that are not a frame are a torn tail only if
    // nothing valid follows anywhere.
    const validAfter = (offset: number, torn: boolean) => findValidFrame(buffer, offset) >= 0 || (torn && laterValid());
    const scanned = scanSegment(segment, buffer, expected, { snapshotSeq, apply, validAfter, logger });
    expected = scanned.nextSeq;
    dataEnd = scanned.dataEnd;
    torn = scanned.torn;
  }
  const last = needed.at(-1);
  // A tail segment that ends before the snapshot cannot take the next batch: the writer starts a new one.
  const usable = last !== undefined && expected - 1 >= snapshotSeq;
  return { lastSeq: Math.max(snapshotSeq, expected - 1), segment: usable ? { file: last, dataEnd, torn } : undefined, segments: all };
}

interface ScanContext {
  readonly snapshotSeq: number;
  readonly apply: (frame: JournalFrame) => void;
  readonly validAfter: (offset: number, torn: boolean) => boolean;
  readonly logger: Logger;
}

function scanSegment(segment: SegmentFile, buffer: Buffer, firstSeq: number, context: ScanContext): { nextSeq: number; dataEnd: number; torn: boolean } {
  let offset = 0;
  let seq = firstSeq;
  for (;;) {
    const decoded = decodeFrame(buffer, offset);
    if (decoded.kind === 'frame') {
      if (decoded.frame.seq !== seq) {
        throw new StoreCorruptError(segment.path, `the frame at byte offset ${offset} is batch ${decoded.frame.seq}, expected ${seq}`);
      }
      // The checksum vouches for the bytes, not for what wrote them: a record the reducer cannot take stops the open.
      const problem = changesProblem(decoded.frame.changes);
      if (problem) throw new StoreCorruptError(segment.path, `batch ${seq} at byte offset ${offset} holds a damaged record: ${problem}`);
      if (seq > context.snapshotSeq) context.apply(decoded.frame);
      offset += decoded.bytes;
      seq += 1;
      continue;
    }
    if (context.validAfter(offset + 1, decoded.kind === 'invalid')) {
      const reason = decoded.kind === 'end' ? 'zeros' : decoded.reason;
      throw new StoreCorruptError(segment.path, `the journal is damaged at byte offset ${offset} (${reason}), and valid batches follow`);
    }
    if (decoded.kind === 'invalid') {
      context.logger.warn(`Journal ${segment.path}: dropped a torn last batch at byte offset ${offset} (${decoded.reason}); it was never acknowledged.`);
    }
    return { nextSeq: seq, dataEnd: offset, torn: decoded.kind === 'invalid' };
  }
}
