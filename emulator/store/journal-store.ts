import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';

import type { HubChange } from '../model/changes.js';
import { emptyHubState, type HubState } from '../model/hub-state.js';
import { noopLogger, type Logger } from '../logger.js';
import { CommitListeners } from './commit-listeners.js';
import { GroupCommit } from './group-commit.js';
import { freezeState, HubSnapshot } from './hub-snapshot.js';
import { Journal } from './journal.js';
import { nodeJournalFileSystem, type JournalFileSystem } from './journal-file-system.js';
import type { CommittedBatch, EmulatorStore, Reducer, StoreStats } from './store.js';

const MiB = 1024 * 1024;

/** Options of {@link JournalStore}. */
export interface JournalStoreOptions {
  readonly dataDir: string;
  /** The hub's reducer (`applyChange` with its options). */
  readonly reduce: Reducer;
  /** fdatasync every batch (default true). Off only for tests and benchmarks that do not care about power loss. */
  readonly fsync?: boolean;
  /** Journal bytes after which a snapshot is written (default: the larger of 8 MiB and the last snapshot's size). */
  readonly compactAtBytes?: number;
  /** Bytes by which a segment is extended ahead of its data (default: 4 MiB, less when compacting sooner). */
  readonly preallocateBytes?: number;
  /** Write a snapshot on close when the journal holds batches, so the next start replays nothing (default true). */
  readonly compactOnClose?: boolean;
  readonly logger?: Logger;
  /** The segment file operations; tests inject failures here. */
  readonly fileSystem?: JournalFileSystem;
}

/**
 * The durable store (house-style H10): `hub.json` is a snapshot of the committed state, `journal/` holds every
 * batch since as one checksummed frame per group commit. See `README.md` for the layout, the torn-tail rule and
 * compaction.
 */
export class JournalStore implements EmulatorStore {
  private readonly snapshot: HubSnapshot;
  private readonly journal: Journal;
  private readonly group: GroupCommit<readonly HubChange[]>;
  private readonly listeners = new CommitListeners();
  private readonly logger: Logger;
  private state: HubState | undefined;
  private snapshotSeq = 0;
  private compactAt = 8 * MiB;
  private compaction: Promise<void> | undefined;
  private closed = false;
  private counters = { journalBytes: 0, snapshotBytes: 0, batches: 0, changes: 0, compactions: 0 };

  constructor(private readonly options: JournalStoreOptions) {
    const fsync = options.fsync ?? true;
    this.logger = options.logger ?? noopLogger;
    this.snapshot = new HubSnapshot(join(options.dataDir, 'hub.json'), fsync);
    const preallocateBytes = options.preallocateBytes ?? Math.min(4 * MiB, Math.max(64 * 1024, options.compactAtBytes ?? 4 * MiB));
    const fileSystem = options.fileSystem ?? nodeJournalFileSystem;
    this.journal = new Journal(join(options.dataDir, 'journal'), { fsync, fileSystem, preallocateBytes, logger: this.logger });
    this.group = new GroupCommit<readonly HubChange[]>({
      write: (items) => this.writeBatch(items.flat()),
      failed: () => this.listeners.rolledBack(),
      between: () => this.maybeCompact(),
    });
  }

  get failure(): Error | undefined {
    return this.group.failure;
  }

  get stats(): StoreStats {
    return { ...this.counters };
  }

  async open(): Promise<HubState> {
    if (this.state) return this.state;
    await mkdir(this.options.dataDir, { recursive: true });
    const loaded = await this.snapshot.load(emptyHubState);
    const { state } = loaded;
    await this.journal.open(loaded.journalSeq, (frame) => {
      for (const change of frame.changes) this.options.reduce(state, change);
    });
    this.snapshotSeq = loaded.journalSeq;
    this.compactAt = this.options.compactAtBytes ?? Math.max(8 * MiB, loaded.bytes);
    this.state = state;
    return state;
  }

  append(changes: readonly HubChange[]): Promise<void> {
    if (!this.state || this.closed) return Promise.reject(new Error('the store is not open'));
    return this.group.submit(changes);
  }

  onCommitted(listener: (batch: CommittedBatch) => void): () => void {
    return this.listeners.addCommitted(listener);
  }

  onRollback(listener: () => void): () => void {
    return this.listeners.addRollback(listener);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.group.idle();
    await this.compaction;
    if ((this.options.compactOnClose ?? true) && this.state && this.journal.seq > this.snapshotSeq && !this.group.failure) {
      await this.compact();
      await this.compaction;
    }
    await this.journal.close();
  }

  /** One group-commit batch: durable first, then applied and announced (the read-committed contract). */
  private async writeBatch(changes: readonly HubChange[]): Promise<void> {
    const state = this.state;
    if (!state || changes.length === 0) return;
    const bytes = await this.journal.append(changes);
    // Durable from here on: nothing below may reject, or an acknowledged-to-disk batch would be reported failed.
    this.counters.journalBytes += bytes;
    this.counters.batches += 1;
    this.counters.changes += changes.length;
    for (const change of changes) {
      try {
        this.options.reduce(state, change);
      } catch (error) {
        this.logger.error(`Store: the reducer failed on a durable ${change.kind} change: ${(error as Error).message}`);
      }
    }
    this.listeners.committed({ seq: this.journal.seq, changes }, this.logger);
  }

  /** Between batches: starts a compaction when the current segment has grown past the threshold. */
  private async maybeCompact(): Promise<void> {
    if (this.compaction || this.closed || this.journal.currentBytes < this.compactAt) return;
    await this.compact();
  }

  /**
   * Freezes the committed state and rotates the journal (in the write slot, so the frozen state is exactly the
   * batches up to the rotation), then writes the snapshot in the background and deletes the segments it covers.
   * A crash at any step leaves the old snapshot with all segments, or the new one with (some of) the old segments,
   * whose frames it skips.
   */
  private async compact(): Promise<void> {
    const state = this.state;
    if (!state) return;
    const frozen = freezeState(state);
    const seq = this.journal.seq;
    try {
      await this.journal.rotate();
    } catch (error) {
      this.logger.warn(`Store: could not start a new journal segment; compaction postponed: ${(error as Error).message}`);
      return;
    }
    this.compaction = this.writeSnapshot(frozen, seq).finally(() => {
      this.compaction = undefined;
    });
  }

  private async writeSnapshot(frozen: HubState, seq: number): Promise<void> {
    try {
      const bytes = await this.snapshot.write(frozen, seq);
      this.snapshotSeq = seq;
      this.counters.snapshotBytes += bytes;
      this.counters.compactions += 1;
      this.compactAt = this.options.compactAtBytes ?? Math.max(8 * MiB, bytes);
      await this.journal.deleteSegmentsBefore(seq + 1);
    } catch (error) {
      // The journal still holds everything; the next compaction retries (and deletes what this one left).
      this.logger.warn(`Store: compaction failed, the journal keeps growing until it succeeds: ${(error as Error).message}`);
    }
  }
}
