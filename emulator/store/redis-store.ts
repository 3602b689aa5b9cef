import { Redis } from 'ioredis';

import { StaleWriteError } from '../errors/catalogue.js';
import type { HubChange } from '../model/changes.js';
import { emptyHubState, type HubState } from '../model/hub-state.js';
import { noopLogger, type Logger } from '../logger.js';
import { changeKeys } from './change-keys.js';
import { CommitListeners } from './commit-listeners.js';
import { GroupCommit } from './group-commit.js';
import { freezeState, toState } from './hub-snapshot.js';
import { changesProblem } from './record-schema.js';
import { APPEND_SCRIPT, SNAPSHOT_SCRIPT } from './redis-scripts.js';
import { SnapshotSerializer } from './snapshot-serializer.js';
import type { CommittedBatch, EmulatorStore, Reducer, StoreStats } from './store.js';
import { StoreCorruptError } from './store-corrupt-error.js';

const MiB = 1024 * 1024;
/** Stream entries read per XRANGE/XREAD. */
const READ_COUNT = 512;
/** How long the stream reader blocks in one XREAD before it asks again (and notices a close). */
const BLOCK_MS = 2000;

/** Options of {@link RedisStore}. */
export interface RedisStoreOptions {
  /** `redis://[user:password@]host:port[/db]` */
  readonly url: string;
  /** The hub's name in Redis: every key is `{<prefix>}:…` (one hash tag, so one Redis Cluster slot). */
  readonly prefix?: string;
  /** This node's id (several hub nodes may share one Redis); default: a random id. */
  readonly nodeId?: string;
  readonly reduce: Reducer;
  /** Bytes this node appends after which it writes a snapshot (default: the larger of 8 MiB and the last snapshot). */
  readonly compactAtBytes?: number;
  /** Write a snapshot on close when batches were appended since the last one (default true). */
  readonly compactOnClose?: boolean;
  readonly logger?: Logger;
}

/** One `append` call: its changes and the last batch seq the node had applied when it was planned. */
interface PendingAppend {
  readonly changes: readonly HubChange[];
  readonly position: number;
}

type AppendReply = ['ok', number, string] | ['conflict', string, string];

/** A stream entry as ioredis returns it: `[id, [field, value, …]]`. */
type StreamEntry = [string, string[]];

interface RedisWithScripts extends Redis {
  hubAppend(log: string, seq: string, last: string, node: string, changes: string, checks: string): Promise<AppendReply>;
  hubSnapshot(doc: string, meta: string, log: string, seq: number, id: string, document: string): Promise<number>;
}

/**
 * The store on Redis (house-style H10), for one hub or several hub nodes sharing one Redis (`--cluster`):
 * - the change log is a Redis Stream (`{prefix}:log`): one entry per group-commit batch (`seq`, `node`, `changes`);
 * - an append is one Lua script (`redis-scripts.ts`): it checks that no other node replaced a record the batch
 *   replaces since the state the batch was planned against, then XADDs it; the append resolves after Redis
 *   answered (with `appendfsync always` Redis answers after the AOF fsync; see `README.md`);
 * - the committed state follows the stream: this node's batches and every other node's, applied in stream order
 *   with the injected reducer, each announced to `onCommitted`; a blocking XREAD keeps it current;
 * - a snapshot (`{prefix}:snapshot`) plus the stream after it is what `open()` replays; writing a snapshot trims
 *   the stream up to the previous one.
 */
export class RedisStore implements EmulatorStore {
  readonly nodeId: string;
  private readonly redis: RedisWithScripts;
  private readonly reader: Redis;
  private readonly keys: { log: string; seq: string; last: string; snapshot: string; meta: string };
  private readonly group: GroupCommit<PendingAppend>;
  private readonly listeners = new CommitListeners();
  private readonly serializer = new SnapshotSerializer();
  private readonly logger: Logger;
  private state: HubState | undefined;
  /** Seq and stream id of the last batch applied to the committed state. */
  private appliedSeq = 0;
  private appliedId = '0-0';
  /** Serialises applying: the stream reader and the write path never interleave. */
  private applying: Promise<void> = Promise.resolve();
  private reading: Promise<void> | undefined;
  private readerFailure: Error | undefined;
  private bytesSinceSnapshot = 0;
  private snapshotSeq = 0;
  private compactAt = 8 * MiB;
  private compaction: Promise<void> | undefined;
  private closed = false;
  private persistenceInfo = 'unknown';
  private counters = { journalBytes: 0, snapshotBytes: 0, batches: 0, changes: 0, compactions: 0 };

  constructor(private readonly options: RedisStoreOptions) {
    this.nodeId = options.nodeId ?? `node-${Math.random().toString(36).slice(2, 10)}`;
    this.logger = options.logger ?? noopLogger;
    const tag = `{${options.prefix ?? 'hub'}}`;
    this.keys = { log: `${tag}:log`, seq: `${tag}:seq`, last: `${tag}:last`, snapshot: `${tag}:snapshot`, meta: `${tag}:snapshot-meta` };
    // A command fails after one reconnect attempt instead of queueing forever: an append must answer (503).
    const connection = { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 5000 };
    this.redis = new Redis(options.url, connection) as RedisWithScripts;
    this.redis.defineCommand('hubAppend', { numberOfKeys: 3, lua: APPEND_SCRIPT });
    this.redis.defineCommand('hubSnapshot', { numberOfKeys: 3, lua: SNAPSHOT_SCRIPT });
    this.reader = new Redis(options.url, connection);
    for (const client of [this.redis, this.reader]) client.on('error', (error: Error) => this.logger.debug(`Redis store: ${error.message}`));
    this.group = new GroupCommit<PendingAppend>({
      write: (items) => this.writeBatch(items),
      failed: () => this.listeners.rolledBack(),
      between: () => this.maybeCompact(),
    });
  }

  get failure(): Error | undefined {
    return this.group.failure ?? this.readerFailure;
  }

  get stats(): StoreStats {
    return { ...this.counters };
  }

  /** The Redis persistence this store writes with (`appendonly yes, appendfsync always`, …), read at open. */
  get persistence(): string {
    return this.persistenceInfo;
  }

  /** Seq of the last batch applied to the committed state (every node's batches). */
  get position(): number {
    return this.appliedSeq;
  }

  /**
   * Resolves once the committed state includes batch `seq` (written by any node): a node acting on another node's
   * word ("desired patch written at seq 42") first catches up to it.
   */
  async caughtUp(seq: number): Promise<void> {
    if (this.appliedSeq >= seq || this.closed) return;
    await this.readUntil(seq);
  }

  async open(): Promise<HubState> {
    if (this.state) return this.state;
    await this.redis.connect();
    await this.reader.connect();
    this.persistenceInfo = await this.readPersistence();
    if (this.persistenceInfo.startsWith('appendonly no')) {
      this.logger.warn(`Redis store: ${this.options.url} runs without AOF (${this.persistenceInfo}); acknowledged writes are lost when Redis stops.`);
    }
    const { state, seq, id, bytes } = await this.loadSnapshot();
    this.appliedSeq = seq;
    this.appliedId = id;
    this.snapshotSeq = seq;
    this.compactAt = this.options.compactAtBytes ?? Math.max(8 * MiB, bytes);
    this.state = state;
    await this.readUntil(Number.POSITIVE_INFINITY, { replay: true });
    this.reading = this.readForever();
    return state;
  }

  append(changes: readonly HubChange[]): Promise<void> {
    if (!this.state || this.closed) return Promise.reject(new Error('the store is not open'));
    return this.group.submit({ changes, position: this.appliedSeq });
  }

  onCommitted(listener: (batch: CommittedBatch) => void): () => void {
    return this.listeners.addCommitted(listener);
  }

  onRollback(listener: () => void): () => void {
    return this.listeners.addRollback(listener);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.group.idle();
    this.closed = true;
    await this.compaction;
    if ((this.options.compactOnClose ?? true) && this.state && this.appliedSeq > this.snapshotSeq && !this.group.failure) {
      await this.writeSnapshot().catch((error: unknown) => this.logger.warn(`Redis store: no snapshot on close: ${(error as Error).message}`));
    }
    this.reader.disconnect();
    // A blocked XREAD on a connection that is reconnecting may never settle; the loop ends on `closed` anyway.
    await Promise.race([this.reading, new Promise((resolve) => setTimeout(resolve, BLOCK_MS).unref())]);
    await this.applying;
    // QUIT only on a live connection: against a Redis that is gone it would wait for a reconnect.
    if (this.redis.status === 'ready') await this.redis.quit().catch(() => undefined);
    this.redis.disconnect();
  }

  /** One group-commit batch: the Lua step, then every batch up to it applied in stream order. */
  private async writeBatch(items: readonly PendingAppend[]): Promise<void> {
    const changes = items.flatMap((item) => item.changes);
    if (changes.length === 0) return;
    const payload = JSON.stringify(changes);
    const checks = JSON.stringify(items.map((item) => [item.position, [...new Set(item.changes.flatMap(changeKeys))]]));
    const { log, seq: seqKey, last } = this.keys;
    const reply = await this.redis.hubAppend(log, seqKey, last, this.nodeId, payload, checks);
    if (reply[0] === 'conflict') {
      // Catch up first, so a retry is planned against the other node's write.
      await this.readUntil(Number.POSITIVE_INFINITY).catch(() => undefined);
      throw new StaleWriteError(`a write of hub node "${reply[2].split(' ').slice(1).join(' ')}" to the same record (${reply[1]}) came first; retry the request`);
    }
    // Durable from here on: nothing below may reject.
    const seq = Number(reply[1]);
    const id = reply[2];
    this.counters.journalBytes += Buffer.byteLength(payload);
    this.bytesSinceSnapshot += Buffer.byteLength(payload);
    for (let attempt = 0; this.appliedSeq < seq - 1; attempt++) {
      try {
        await this.readUntil(seq - 1);
      } catch (error) {
        this.logger.warn(`Redis store: reading the batches before ${seq} failed (attempt ${attempt + 1}): ${(error as Error).message}`);
        await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 50 * 2 ** attempt)));
      }
    }
    await this.serialized(() => {
      if (this.appliedSeq === seq - 1) this.apply(seq, id, changes);
    });
  }

  /** Applies batches from the stream up to `untilSeq` (all of them: Infinity), through the apply chain. */
  private readUntil(untilSeq: number, { replay = false } = {}): Promise<void> {
    return this.serialized(async () => {
      while (this.appliedSeq < untilSeq) {
        const entries = (await this.redis.xrange(this.keys.log, `(${this.appliedId}`, '+', 'COUNT', READ_COUNT)) as StreamEntry[];
        for (const entry of entries) {
          if (this.appliedSeq >= untilSeq) break;
          this.applyEntry(entry, replay);
        }
        if (entries.length < READ_COUNT) return;
      }
    });
  }

  /** The stream reader: follows the batches of other nodes (a blocking XREAD on its own connection). */
  private async readForever(): Promise<void> {
    while (!this.closed) {
      let reply: [string, StreamEntry[]][] | null;
      try {
        reply = (await this.reader.xread('COUNT', READ_COUNT, 'BLOCK', BLOCK_MS, 'STREAMS', this.keys.log, this.appliedId)) as [string, StreamEntry[]][] | null;
      } catch (error) {
        if (this.closed) return;
        this.logger.warn(`Redis store: reading the change stream failed: ${(error as Error).message}`);
        await new Promise((resolve) => setTimeout(resolve, 250));
        continue;
      }
      const entries = reply?.[0]?.[1] ?? [];
      if (entries.length === 0) continue;
      try {
        await this.serialized(() => {
          for (const entry of entries) this.applyEntry(entry, false);
        });
      } catch (error) {
        // A gap or a damaged entry: this node's state cannot follow the stream any more. Stop reading (the same
        // entries would fail again) and report the failure; the node must be restarted.
        this.readerFailure = error as Error;
        this.logger.error(`Redis store: ${(error as Error).message}`);
        return;
      }
    }
  }

  /** Applies one stream entry unless it is already applied; a gap or a damaged entry throws. */
  private applyEntry([id, fields]: StreamEntry, replay: boolean): void {
    const seq = Number(field(fields, 'seq'));
    if (seq <= this.appliedSeq) return;
    const where = `redis ${this.options.url} ${this.keys.log} entry ${id}`;
    if (seq !== this.appliedSeq + 1) throw new StoreCorruptError(where, `batch ${seq} follows batch ${this.appliedSeq} (the batches between were trimmed before this node read them; restart the node)`);
    let changes: unknown;
    try {
      changes = JSON.parse(field(fields, 'changes') ?? '');
    } catch {
      throw new StoreCorruptError(where, 'its changes are not JSON');
    }
    if (!Array.isArray(changes)) throw new StoreCorruptError(where, 'its changes are not a list');
    const problem = changesProblem(changes);
    if (problem) throw new StoreCorruptError(where, `the change ${problem}`);
    if (replay) {
      this.appliedSeq = seq;
      this.appliedId = id;
      for (const change of changes as HubChange[]) this.options.reduce(this.stateOrThrow(), change);
      return;
    }
    this.apply(seq, id, changes as HubChange[]);
  }

  /** A durable batch: applied to the committed state, then announced (the read-committed contract). */
  private apply(seq: number, id: string, changes: readonly HubChange[]): void {
    const state = this.stateOrThrow();
    this.appliedSeq = seq;
    this.appliedId = id;
    this.counters.batches += 1;
    this.counters.changes += changes.length;
    for (const change of changes) {
      try {
        this.options.reduce(state, change);
      } catch (error) {
        this.logger.error(`Redis store: the reducer failed on a durable ${change.kind} change: ${(error as Error).message}`);
      }
    }
    this.listeners.committed({ seq, changes }, this.logger);
  }

  private serialized(step: () => void | Promise<void>): Promise<void> {
    const next = this.applying.then(step);
    this.applying = next.catch(() => undefined);
    return next;
  }

  private async maybeCompact(): Promise<void> {
    if (this.compaction || this.closed || this.bytesSinceSnapshot < this.compactAt) return;
    this.compaction = this.writeSnapshot()
      .catch((error: unknown) => this.logger.warn(`Redis store: snapshot failed, the stream keeps growing until one succeeds: ${(error as Error).message}`))
      .finally(() => {
        this.compaction = undefined;
      });
  }

  /** Freezes the committed state at the applied batch and stores it as the snapshot (if newer than the stored one). */
  private async writeSnapshot(): Promise<void> {
    const state = this.stateOrThrow();
    const seq = this.appliedSeq;
    const id = this.appliedId;
    if (seq <= this.snapshotSeq) return;
    const { schemaVersion, ...maps } = freezeState(state);
    this.bytesSinceSnapshot = 0;
    const document = Buffer.concat(await this.serializer.serializeAsync({ schemaVersion, journalSeq: seq, streamId: id, ...maps })).toString('utf8');
    await this.redis.hubSnapshot(this.keys.snapshot, this.keys.meta, this.keys.log, seq, id, document);
    this.snapshotSeq = seq;
    this.counters.snapshotBytes += Buffer.byteLength(document);
    this.counters.compactions += 1;
    this.compactAt = this.options.compactAtBytes ?? Math.max(8 * MiB, Buffer.byteLength(document));
  }

  private async loadSnapshot(): Promise<{ state: HubState; seq: number; id: string; bytes: number }> {
    const text = await this.redis.get(this.keys.snapshot);
    if (text === null) return { state: emptyHubState(), seq: 0, id: '0-0', bytes: 0 };
    const where = `redis ${this.options.url} ${this.keys.snapshot}`;
    let document: unknown;
    try {
      document = JSON.parse(text);
    } catch {
      throw new StoreCorruptError(where, 'it is not JSON');
    }
    const { state, journalSeq } = toState(document, where);
    const streamId = (document as { streamId?: unknown }).streamId;
    if (typeof streamId !== 'string' || !/^\d+-\d+$/.test(streamId)) throw new StoreCorruptError(where, '"streamId" is missing or not a stream id');
    return { state, seq: journalSeq, id: streamId, bytes: Buffer.byteLength(text) };
  }

  /** `appendonly yes, appendfsync always` as the server reports it (managed Redis may refuse CONFIG). */
  private async readPersistence(): Promise<string> {
    try {
      const [, appendonly = '?'] = (await this.redis.config('GET', 'appendonly')) as string[];
      const [, appendfsync = '?'] = (await this.redis.config('GET', 'appendfsync')) as string[];
      return `appendonly ${appendonly}, appendfsync ${appendfsync}`;
    } catch {
      return 'unknown (CONFIG GET refused)';
    }
  }

  private stateOrThrow(): HubState {
    if (!this.state) throw new Error('the store is not open');
    return this.state;
  }
}

function field(fields: readonly string[], name: string): string | undefined {
  for (let i = 0; i + 1 < fields.length; i += 2) if (fields[i] === name) return fields[i + 1];
  return undefined;
}
