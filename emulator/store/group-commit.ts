import { storeUnavailable } from '../errors/catalogue.js';
/** Undoes one in-memory change (kept until the journal store replaces this file). */
type Undo = () => void;

interface Waiter {
  readonly undo: Undo;
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
}

/**
 * Group commit: every commit requested while a write is running joins the next write, so N concurrent updates
 * cost one write instead of N, and each is acknowledged only after the write that carries it has completed.
 * `write` must capture its snapshot synchronously when called.
 */
export class GroupCommit {
  private queued: Waiter[] = [];
  private running: Promise<void> | undefined;
  private lastFailure: Error | undefined;

  constructor(private readonly write: () => Promise<void>) {}

  /** The error of the last failed write, cleared by the next successful one. */
  get failure(): Error | undefined {
    return this.lastFailure;
  }

  /** Resolves once a write that started after this call has completed. */
  commit(undo: Undo): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.queued.push({ undo, resolve, reject });
      // Defer to the next turn so everything parsed from the same socket reads joins one write.
      this.running ??= new Promise<void>((done) => setImmediate(done)).then(() => this.drainQueue());
    });
  }

  /** Resolves when nothing is queued or being written. */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  private async drainQueue(): Promise<void> {
    while (this.queued.length > 0) {
      const batch = this.queued;
      this.queued = [];
      try {
        await this.write();
        this.lastFailure = undefined;
        for (const waiter of batch) waiter.resolve();
      } catch (error) {
        this.rollBack(batch, error as Error);
      }
    }
    this.running = undefined;
  }

  /**
   * Undo everything not yet durable, newest first: the failed batch and anything queued on top of it, whose
   * changes were built on the failed state.
   */
  private rollBack(batch: Waiter[], error: Error): void {
    const failed = [...batch, ...this.queued];
    this.queued = [];
    for (let i = failed.length - 1; i >= 0; i--) failed[i]?.undo();
    this.lastFailure = error;
    const hubError = storeUnavailable(error.message);
    for (const waiter of failed) waiter.reject(hubError);
  }
}
