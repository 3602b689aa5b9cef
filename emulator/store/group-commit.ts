import { isStaleWrite, storeUnavailable } from '../errors/catalogue.js';

/** What a {@link GroupCommit} runs. */
export interface GroupCommitHooks<T> {
  /**
   * Makes a batch durable (and applies it). Rejects only if the batch is not durable; everything after the
   * durable point must not throw.
   */
  write(items: readonly T[]): Promise<void>;
  /** Called synchronously when a write failed, before the waiting submissions reject. */
  failed(error: Error): void;
  /** Runs in the write slot after a successful batch, before the next (rotation for compaction). Must not reject. */
  between?(): Promise<void>;
}

interface Waiter<T> {
  readonly item: T;
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
}

/**
 * Group commit: every item submitted while a write is running joins the next write, so N concurrent appends cost
 * one write (one fsync) instead of N, and each resolves only after the write that carries it, in submission order.
 * On a failed write the batch and everything queued behind it reject with `503 ServiceUnavailable` (the queued
 * items were produced against a state that included the failed batch); the next submission tries again.
 */
export class GroupCommit<T> {
  private queued: Waiter<T>[] = [];
  private running: Promise<void> | undefined;
  private lastFailure: Error | undefined;

  constructor(private readonly hooks: GroupCommitHooks<T>) {}

  /** The error of the last failed write, cleared by the next successful one. */
  get failure(): Error | undefined {
    return this.lastFailure;
  }

  /** Resolves once a write that started after this call has completed. */
  submit(item: T): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.queued.push({ item, resolve, reject });
      // Defer to the next turn so everything parsed from the same socket read joins one write.
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
        await this.hooks.write(batch.map((waiter) => waiter.item));
      } catch (error) {
        this.fail(batch, error instanceof Error ? error : new Error(String(error)));
        continue;
      }
      this.lastFailure = undefined;
      for (const waiter of batch) waiter.resolve();
      await this.hooks.between?.();
    }
    this.running = undefined;
  }

  private fail(batch: Waiter<T>[], error: Error): void {
    const failed = [...batch, ...this.queued];
    this.queued = [];
    // A stale write (another cluster node came first) is no store failure: the writers plan again.
    if (!isStaleWrite(error)) this.lastFailure = error;
    this.hooks.failed(error);
    const hubError = isStaleWrite(error) ? error : storeUnavailable(error.message);
    for (const waiter of failed) waiter.reject(hubError);
  }
}
