import { mkdir, open, readFile, rename, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';

import type { HubEvent, HubEventInput } from '../model/hub-event.js';
import type { Clock } from '../util/clock.js';
import { decodeEventFrame, encodeEventFrame, hasValidEventAfter } from './event-frame.js';
import { GroupCommit } from './group-commit.js';
import { StoreCorruptError } from './store-corrupt-error.js';
import { syncDirectory } from './sync-directory.js';

/** Where and how long events are kept. */
export interface EventLogOptions {
  /** Folder of the partition files; undefined keeps events in memory only (the hub's `memory` persistence). */
  readonly dir: string | undefined;
  readonly partitions: number;
  /** Events older than this are dropped (IoT Hub: 1 day by default, 1-7 days). */
  readonly retentionMs: number;
  /** Bytes kept per partition, oldest dropped first (bounds memory and disk). */
  readonly maxBytesPerPartition: number;
  readonly fsync: boolean;
  readonly clock: Clock;
}

/** What a partition holds now (the management link's partition properties). */
export interface PartitionState {
  readonly beginSequenceNumber: number;
  readonly lastSequenceNumber: number;
  readonly lastOffset: string;
  readonly lastEnqueuedTime: number;
  readonly empty: boolean;
}

interface Partition {
  readonly events: HubEvent[];
  /** Frame bytes of `events` (what retention bounds). */
  bytes: number[];
  totalBytes: number;
  nextSequence: number;
  /** Bytes ever appended: the next event's offset. */
  nextOffset: number;
  lastSequence: number;
  lastOffset: string;
  lastTime: number;
  handle?: FileHandle;
  fileBytes: number;
}

interface Pending {
  readonly event: HubEvent;
  readonly frame: Buffer;
}

/**
 * The built-in endpoint's events, append-only per partition (`<dir>/partition-<n>.log`, one framed event per
 * record), next to the twin journal. An append gets its sequence number and offset at once, in call order, and
 * resolves when durable (group commit: concurrent appends share one write and one fdatasync per touched file);
 * readers see an event only once it is durable. A torn last record (a crash mid-write) is dropped; damage followed by
 * valid records stops the hub with the file and offset. Retention drops whole old records, rewriting a partition file
 * (temp file, fsync, rename) when a third of it is dropped events.
 */
export class EventLog {
  private readonly parts: Partition[];
  private readonly commit: GroupCommit<Pending>;
  private readonly listeners = new Set<(events: readonly HubEvent[]) => void>();
  /** Set when retention dropped events: the next write slot rewrites the files that shrank. */
  private rewriteWanted = false;

  /** When the endpoint was first created (ms since the epoch), kept in `<dir>/endpoint.json`. */
  readonly createdAt: number;

  private constructor(private readonly options: EventLogOptions, parts: Partition[], createdAt: number) {
    this.createdAt = createdAt;
    this.parts = parts;
    this.commit = new GroupCommit<Pending>({
      write: (items) => this.write(items),
      failed: () => undefined,
      // Rewrites run in the write slot, between two appends, so they never race one (nor wait for one).
      between: () => this.rewriteIfWanted(),
    });
  }

  /**
   * Opens (or creates) the endpoint. Its partition count is fixed at creation, as on IoT Hub: an existing endpoint
   * keeps the count it was created with, whatever `options.partitions` says now.
   */
  static async open(options: EventLogOptions): Promise<EventLog> {
    const parts: Partition[] = [];
    const identity = await endpointIdentity(options);
    for (let index = 0; index < identity.partitions; index += 1) parts.push(await loadPartition(options.dir, index));
    const log = new EventLog(options, parts, identity.createdAt);
    log.applyRetention();
    return log;
  }

  get partitionCount(): number {
    return this.parts.length;
  }

  /** Appends events to their partitions; resolves with them, placed, once durable. */
  async append(inputs: readonly HubEventInput[]): Promise<HubEvent[]> {
    const placed = inputs.map((input) => {
      const part = this.part(input.partition);
      const event: HubEvent = { ...input, sequenceNumber: part.nextSequence, offset: String(part.nextOffset) };
      const frame = encodeEventFrame(event);
      part.nextSequence += 1;
      part.nextOffset += frame.length;
      return { event, frame };
    });
    await Promise.all(placed.map((pending) => this.commit.submit(pending)));
    return placed.map((pending) => pending.event);
  }

  /** The retained events of a partition, oldest first. */
  events(partition: number): readonly HubEvent[] {
    return this.part(partition).events;
  }

  state(partition: number): PartitionState {
    const part = this.part(partition);
    const first = part.events[0];
    return {
      beginSequenceNumber: first?.sequenceNumber ?? part.lastSequence + 1,
      lastSequenceNumber: part.lastSequence,
      lastOffset: part.lastOffset,
      lastEnqueuedTime: part.lastTime,
      empty: part.events.length === 0,
    };
  }

  /** Called with each durable batch, in order. */
  onAppended(listener: (events: readonly HubEvent[]) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Drops events past retention (time or size); called on a timer by the owner. */
  applyRetention(): void {
    const now = this.options.clock.now().getTime();
    for (const part of this.parts) {
      let drop = 0;
      let dropped = 0;
      while (drop < part.events.length) {
        const event = part.events[drop] as HubEvent;
        const tooOld = now - event.enqueuedTime > this.options.retentionMs;
        const tooBig = part.totalBytes - dropped > this.options.maxBytesPerPartition;
        if (!tooOld && !tooBig) break;
        dropped += part.bytes[drop] ?? 0;
        drop += 1;
      }
      if (drop === 0) continue;
      part.events.splice(0, drop);
      part.bytes.splice(0, drop);
      part.totalBytes -= dropped;
      this.rewriteWanted = true;
    }
  }

  async close(): Promise<void> {
    await this.commit.idle();
    await this.rewriteIfWanted();
    for (const part of this.parts) await part.handle?.close();
  }

  private part(partition: number): Partition {
    const part = this.parts[partition];
    if (!part) throw new RangeError(`no partition ${partition}`);
    return part;
  }

  private async write(items: readonly Pending[]): Promise<void> {
    if (this.options.dir !== undefined) {
      const touched = new Set<Partition>();
      for (const { event, frame } of items) {
        const part = this.part(event.partition);
        part.handle ??= await open(partitionPath(this.options.dir, event.partition), 'a');
        await part.handle.write(frame, 0, frame.length, null);
        part.fileBytes += frame.length;
        touched.add(part);
      }
      if (this.options.fsync) await Promise.all([...touched].map((part) => part.handle?.datasync()));
    }
    for (const { event, frame } of items) {
      const part = this.part(event.partition);
      part.events.push(event);
      part.bytes.push(frame.length);
      part.totalBytes += frame.length;
      part.lastSequence = event.sequenceNumber;
      part.lastOffset = event.offset;
      part.lastTime = event.enqueuedTime;
    }
    const events = items.map((item) => item.event);
    for (const listener of this.listeners) listener(events);
  }

  /**
   * Rewrites partition files in which dropped events take a third or more of the bytes. Runs only in the group
   * commit's slot between appends (or at close), never while an append is being written. A failed rewrite leaves the
   * old file, which still holds every retained event; it is tried again after the next retention pass.
   */
  private async rewriteIfWanted(): Promise<void> {
    const dir = this.options.dir;
    if (dir === undefined || !this.rewriteWanted) return;
    this.rewriteWanted = false;
    try {
      await this.rewriteShrunkFiles(dir);
    } catch {
      this.rewriteWanted = true;
    }
  }

  private async rewriteShrunkFiles(dir: string): Promise<void> {
    for (const [index, part] of this.parts.entries()) {
      if (part.fileBytes === 0 || part.totalBytes > (part.fileBytes * 2) / 3) continue;
      const path = partitionPath(dir, index);
      const temp = `${path}.tmp`;
      const handle = await open(temp, 'w');
      try {
        const data = Buffer.concat(part.events.map((event) => encodeEventFrame(event)));
        await handle.write(data, 0, data.length, 0);
        await handle.sync();
      } finally {
        await handle.close();
      }
      await part.handle?.close();
      part.handle = undefined;
      await rename(temp, path);
      await syncDirectory(dir);
      part.fileBytes = part.totalBytes;
    }
  }
}

/** `<dir>/endpoint.json`: the creation time and partition count, written once. */
async function endpointIdentity(options: EventLogOptions): Promise<{ createdAt: number; partitions: number }> {
  const fresh = { createdAt: options.clock.now().getTime(), partitions: options.partitions };
  if (options.dir === undefined) return fresh;
  await mkdir(options.dir, { recursive: true });
  const path = join(options.dir, 'endpoint.json');
  try {
    const stored = JSON.parse(await readFile(path, 'utf8')) as { createdAt?: unknown; partitions?: unknown };
    if (typeof stored.createdAt !== 'number' || !Number.isInteger(stored.partitions) || (stored.partitions as number) < 1) {
      throw new StoreCorruptError(path, 'it does not hold {createdAt, partitions}');
    }
    return { createdAt: stored.createdAt, partitions: stored.partitions as number };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      if (error instanceof StoreCorruptError) throw error;
      throw new StoreCorruptError(path, (error as Error).message);
    }
  }
  const handle = await open(path, 'wx');
  try {
    await handle.writeFile(JSON.stringify(fresh));
    await handle.sync();
  } finally {
    await handle.close();
  }
  await syncDirectory(options.dir);
  return fresh;
}

function partitionPath(dir: string, partition: number): string {
  return join(dir, `partition-${partition}.log`);
}

async function loadPartition(dir: string | undefined, index: number): Promise<Partition> {
  const part: Partition = { events: [], bytes: [], totalBytes: 0, nextSequence: 0, nextOffset: 0, lastSequence: -1, lastOffset: '-1', lastTime: 0, fileBytes: 0 };
  if (dir === undefined) return part;
  const path = partitionPath(dir, index);
  let data: Buffer;
  try {
    data = await readFile(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return part;
    throw error;
  }
  let at = 0;
  for (;;) {
    const decoded = decodeEventFrame(data, at);
    if (decoded.kind === 'end') break;
    if (decoded.kind === 'invalid') {
      if (hasValidEventAfter(data, at + 1)) throw new StoreCorruptError(path, `${decoded.reason} at byte ${at}, followed by valid events`);
      // A torn tail: the write that was cut was never acknowledged. Cut it off so new events follow valid ones.
      const handle = await open(path, 'r+');
      try {
        await handle.truncate(at);
        await handle.sync();
      } finally {
        await handle.close();
      }
      break;
    }
    const { event, bytes } = decoded;
    part.events.push(event);
    part.bytes.push(bytes);
    part.totalBytes += bytes;
    part.lastSequence = event.sequenceNumber;
    part.lastOffset = event.offset;
    part.lastTime = event.enqueuedTime;
    part.nextSequence = event.sequenceNumber + 1;
    part.nextOffset = Number(event.offset) + bytes;
    at += bytes;
  }
  part.fileBytes = at;
  return part;
}
