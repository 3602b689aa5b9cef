import type { HubChange } from '../model/changes.js';
import type { HubState } from '../model/hub-state.js';

/** Applies one change record to a state (the hub's reducer, `emulator/state/apply-change.ts`, injected). */
export type Reducer = (state: HubState, change: HubChange) => void;

/** A durable batch: the changes in the order they were appended, and the batch's journal sequence number. */
export interface CommittedBatch {
  readonly seq: number;
  readonly changes: readonly HubChange[];
}

/** What a store has written, for benchmarks and the studio's status line. */
export interface StoreStats {
  /** Bytes appended to the journal (frames included) since open. */
  readonly journalBytes: number;
  /** Bytes written into snapshots since open. */
  readonly snapshotBytes: number;
  /** Durable batches (one fsync each) since open. */
  readonly batches: number;
  /** Change records made durable since open. */
  readonly changes: number;
  readonly compactions: number;
}

/**
 * Persistence for the hub (house-style H10). The store owns the *committed* state: the state the journal holds.
 * Services describe what they did as change records and `append` them; the store frames them into its journal,
 * makes them durable (group commit: every append requested while a write runs joins the next write), applies them
 * to the committed state with the injected reducer, tells its observers, and only then resolves. So a client that
 * is told a write succeeded can rely on it surviving a crash, and nothing reads a state that could be lost.
 *
 * If a write fails, the store calls its rollback listeners synchronously (everything not yet durable is gone),
 * then rejects every waiting append with `503 ServiceUnavailable`; the committed state never saw those changes.
 */
export interface EmulatorStore {
  /** Loads the committed state (snapshot + journal replay). Rejects with StoreCorruptError, never replaces data. */
  open(): Promise<HubState>;
  /** Resolves once the changes are durable and applied to the committed state; rejects (503) if they cannot be. */
  append(changes: readonly HubChange[]): Promise<void>;
  /**
   * Called synchronously for each durable batch, after the reducer applied it and before its appends resolve.
   * Returns the disposer.
   */
  onCommitted(listener: (batch: CommittedBatch) => void): () => void;
  /** Called synchronously when a write failed, before the waiting appends reject. Returns the disposer. */
  onRollback(listener: () => void): () => void;
  /** Last persistence failure, if the store is currently failing writes. */
  readonly failure: Error | undefined;
  readonly stats: StoreStats;
  /** Waits for pending writes (and a running compaction), then releases the store. */
  close(): Promise<void>;
}
