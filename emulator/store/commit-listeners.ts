import type { Logger } from '../logger.js';
import type { CommittedBatch } from './store.js';

/** The observers of a store: called synchronously, in registration order; one that throws does not stop the rest. */
export class CommitListeners {
  private readonly onCommitted = new Set<(batch: CommittedBatch) => void>();
  private readonly onRollback = new Set<() => void>();

  /** Adds a committed-batch listener; returns its disposer. */
  addCommitted(listener: (batch: CommittedBatch) => void): () => void {
    this.onCommitted.add(listener);
    return () => this.onCommitted.delete(listener);
  }

  /** Adds a rollback listener; returns its disposer. */
  addRollback(listener: () => void): () => void {
    this.onRollback.add(listener);
    return () => this.onRollback.delete(listener);
  }

  /** Tells every committed listener about a durable batch. */
  committed(batch: CommittedBatch, logger: Logger): void {
    for (const listener of [...this.onCommitted]) {
      try {
        listener(batch);
      } catch (error) {
        // The batch is durable and applied whatever an observer does; its failure is its own.
        logger.error(`Store: a commit listener failed on batch ${batch.seq}: ${(error as Error).message}`);
      }
    }
  }

  /** Tells every rollback listener that the pending changes are gone. */
  rolledBack(): void {
    for (const listener of [...this.onRollback]) {
      try {
        listener();
      } catch {
        // Same as above: the appends must still be rejected.
      }
    }
  }
}
