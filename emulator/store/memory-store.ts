import type { HubChange } from '../model/changes.js';
import { emptyHubState, type HubState } from '../model/hub-state.js';
import type { CommittedBatch, EmulatorStore, Reducer, StoreStats } from './store.js';

/** Non-durable store for tests of the layers above and for `persistence: 'memory'` hubs. */
export class MemoryStore implements EmulatorStore {
  readonly failure: Error | undefined = undefined;
  private readonly committedListeners = new Set<(batch: CommittedBatch) => void>();
  private readonly state: HubState;
  private seq = 0;
  private counts = { batches: 0, changes: 0 };

  constructor(
    private readonly reduce: Reducer,
    initial: HubState = emptyHubState(),
  ) {
    this.state = initial;
  }

  get stats(): StoreStats {
    return { journalBytes: 0, snapshotBytes: 0, batches: this.counts.batches, changes: this.counts.changes, compactions: 0 };
  }

  async open(): Promise<HubState> {
    return this.state;
  }

  async append(changes: readonly HubChange[]): Promise<void> {
    // Asynchronous like a durable store, so callers see the same ordering.
    await new Promise<void>((resolve) => setImmediate(resolve));
    for (const change of changes) this.reduce(this.state, change);
    this.seq += 1;
    this.counts = { batches: this.counts.batches + 1, changes: this.counts.changes + changes.length };
    const batch = { seq: this.seq, changes };
    for (const listener of this.committedListeners) listener(batch);
  }

  onCommitted(listener: (batch: CommittedBatch) => void): () => void {
    this.committedListeners.add(listener);
    return () => this.committedListeners.delete(listener);
  }

  onRollback(_listener: () => void): () => void {
    // Memory never fails a write.
    return () => undefined;
  }

  async close(): Promise<void> {}
}
