import { mkdir, open, readdir, rm, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';

import type { JsonObject } from '../model/json.js';

/** Where and how a file sink writes. */
export interface FileSinkOptions {
  readonly dir: string;
  /** Bytes per file; a record that would pass it starts the next file (a larger record gets a file of its own). */
  readonly maxFileBytes: number;
  /** Files kept; the oldest is deleted when a new one would pass it. */
  readonly maxFiles: number;
}

const FILE = /^chunk-(\d{8})\.jsonl$/;

/**
 * A routing endpoint that writes each routed message as one JSON line (`<dir>/chunk-00000001.jsonl`, …), for people who
 * want to see what a route sends without an Azure Storage account. Files rotate at `maxFileBytes` and at most
 * `maxFiles` are kept, so the sink is bounded on disk. Writes are appended in call order; a line is written whole
 * before the next starts. Not fsynced: the sink is for looking at, the built-in endpoint is the durable one.
 */
export class FileSink {
  private handle: FileHandle | undefined;
  private bytes = 0;
  private tail: Promise<unknown> = Promise.resolve();
  private closed = false;
  private written = 0;
  private failed = 0;

  private constructor(
    private readonly options: FileSinkOptions,
    private index: number,
  ) {}

  /** Opens the folder (creating it); new lines go to a new file after the newest one there. */
  static async open(options: FileSinkOptions): Promise<FileSink> {
    await mkdir(options.dir, { recursive: true });
    const existing = await chunkIndexes(options.dir);
    return new FileSink(options, existing.at(-1) ?? 0);
  }

  /** Appends one record as a line; resolves when it is written. */
  write(record: JsonObject): Promise<void> {
    const line = Buffer.from(`${JSON.stringify(record)}\n`, 'utf8');
    const result = this.tail.then(() => this.append(line)).then(
      () => {
        this.written += 1;
      },
      (error: unknown) => {
        this.failed += 1;
        throw error;
      },
    );
    this.tail = result.catch(() => undefined);
    return result;
  }

  /** Records written and records whose write failed, since the sink opened. */
  stats(): { written: number; failed: number } {
    return { written: this.written, failed: this.failed };
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.tail;
    await this.handle?.close();
    this.handle = undefined;
  }

  private async append(line: Buffer): Promise<void> {
    if (this.closed) throw new Error('the file sink is closed');
    if (!this.handle || (this.bytes > 0 && this.bytes + line.length > this.options.maxFileBytes)) await this.rotate();
    await (this.handle as FileHandle).write(line, 0, line.length, null);
    this.bytes += line.length;
  }

  private async rotate(): Promise<void> {
    await this.handle?.close();
    this.index += 1;
    this.handle = await open(join(this.options.dir, chunkName(this.index)), 'a');
    this.bytes = (await this.handle.stat()).size;
    const indexes = await chunkIndexes(this.options.dir);
    for (const old of indexes.slice(0, Math.max(0, indexes.length - this.options.maxFiles))) await rm(join(this.options.dir, chunkName(old)), { force: true });
  }
}

function chunkName(index: number): string {
  return `chunk-${String(index).padStart(8, '0')}.jsonl`;
}

async function chunkIndexes(dir: string): Promise<number[]> {
  const names = await readdir(dir);
  return names.flatMap((name) => {
    const match = FILE.exec(name);
    return match?.[1] ? [Number(match[1])] : [];
  }).sort((a, b) => a - b);
}
