import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import { noopLogger } from '../../../../emulator/logger.js';
import { encodeFrame, type JournalFrame } from '../../../../emulator/store/frame-codec.js';
import { readJournal, segmentName } from '../../../../emulator/store/journal-reader.js';
import { StoreCorruptError } from '../../../../emulator/store/store-corrupt-error.js';

const frame = (seq: number) => encodeFrame({ seq, changes: [{ kind: 'deviceDeleted', deviceId: `d${seq}` }] });

describe('readJournal', () => {
  const dirs: string[] = [];
  afterEach(async () => {
    for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
  });

  async function journal(segments: Record<number, Buffer[]>): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), 'journal-reader-'));
    dirs.push(dir);
    await mkdir(dir, { recursive: true });
    for (const [start, parts] of Object.entries(segments)) await writeFile(join(dir, segmentName(Number(start))), Buffer.concat(parts));
    return dir;
  }

  async function read(dir: string, snapshotSeq: number): Promise<{ seqs: number[]; lastSeq: number; dataEnd?: number; torn?: boolean }> {
    const seqs: number[] = [];
    const tail = await readJournal(dir, snapshotSeq, (f: JournalFrame) => seqs.push(f.seq), noopLogger);
    return { seqs, lastSeq: tail.lastSeq, dataEnd: tail.segment?.dataEnd, torn: tail.segment?.torn };
  }

  it('replays across sealed and preallocated segments, skipping what the snapshot holds', async () => {
    const dir = await journal({ 1: [frame(1), frame(2)], 3: [frame(3), frame(4), Buffer.alloc(4096)] });
    expect(await read(dir, 1)).toEqual({ seqs: [2, 3, 4], lastSeq: 4, dataEnd: frame(3).length + frame(4).length, torn: false });
    // Covered entirely by the snapshot: the first segment is not even read.
    expect((await read(dir, 2)).seqs).toEqual([3, 4]);
  });

  it('drops a torn tail and reports where the data ends', async () => {
    const dir = await journal({ 1: [frame(1), frame(2).subarray(0, 20)] });
    expect(await read(dir, 0)).toEqual({ seqs: [1], lastSeq: 1, dataEnd: frame(1).length, torn: true });
  });

  it.each([
    ['a journal that starts after the snapshot ends', { 5: [frame(5)] }, /starts at batch 5, but the snapshot ends at batch 0/],
    ['a gap between segments', { 1: [frame(1)], 3: [frame(3)] }, /starts at batch 3, expected 2/],
    ['a frame out of order', { 1: [frame(1), frame(3)] }, /is batch 3, expected 2/],
    ['zeros followed by a valid frame', { 1: [frame(1), Buffer.alloc(64), frame(2)] }, /damaged at byte offset \d+ \(zeros\)/],
    ['a damaged frame followed by a valid segment', { 1: [frame(1), Buffer.from('TWJ1xxxxxxxxxxxx')], 2: [frame(2)] }, /damaged at byte offset \d+/],
  ])('refuses %s', async (_what, segments, message) => {
    const dir = await journal(segments);
    const error: unknown = await read(dir, 0).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreCorruptError);
    expect((error as Error).message).toMatch(message);
  });
});
