import type { HubChange } from '../model/changes.js';
import { emptyHubState, type HubState } from '../model/hub-state.js';
import { noopLogger } from '../logger.js';
import { CommitListeners } from './commit-listeners.js';
import { GroupCommit } from './group-commit.js';
import type { CommittedBatch, EmulatorStore, Reducer, StoreStats } from './store.js';

/**
 * Non-durable store for tests of the layers above and for `persistence: 'memory'` hubs. It batches and orders
 * exactly like the journal store (appends made in one turn share a batch, applied after a `setImmediate`), so code
 * tested against it sees the same read-committed timing.
 */
export class MemoryStore implements EmulatorStore {
  readonly failure: Error | undefined = undefined;
  private readonly listeners = new CommitListeners();
  private readonly group: GroupCommit<readonly HubChange[]>;
  private readonly state: HubState;
  private seq = 0;
  private counters = { journalBytes: 0, snapshotBytes: 0, batches: 0, changes: 0, compactions: 0 };

  /** `reduce`: the hub's reducer; `initial`: the state to start from (default: empty). */
  constructor(
    private readonly reduce: Reducer,
    initial: HubState = emptyHubState(),
  ) {
    this.state = initial;
    this.group = new GroupCommit<readonly HubChange[]>({
      write: async (items) => this.apply(items.flat()),
      failed: () => this.listeners.rolledBack(),
    });
  }

  get stats(): StoreStats {
    return { ...this.counters };
  }

  async open(): Promise<HubState> {
    return this.state;
  }

  append(changes: readonly HubChange[]): Promise<void> {
    return this.group.submit(changes);
  }

  onCommitted(listener: (batch: CommittedBatch) => void): () => void {
    return this.listeners.addCommitted(listener);
  }

  onRollback(listener: () => void): () => void {
    return this.listeners.addRollback(listener);
  }

  async close(): Promise<void> {
    await this.group.idle();
  }

  private apply(changes: readonly HubChange[]): void {
    if (changes.length === 0) return;
    this.seq += 1;
    this.counters.batches += 1;
    this.counters.changes += changes.length;
    for (const change of changes) this.reduce(this.state, change);
    this.listeners.committed({ seq: this.seq, changes }, noopLogger);
  }
}
