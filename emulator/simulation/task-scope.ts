/** Thrown into a sleeping task when its scope is cancelled; callers treat it as a normal end. */
export class TaskCancelled extends Error {
  override readonly name = 'TaskCancelled';
}

/**
 * Owns the timers of a group of tasks so they can all be cancelled at once: a paused or disconnected device must not
 * fire one more report, and a newer desired value must cancel the half-done reaction to the older one.
 */
export class TaskScope {
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly sleepers = new Set<() => void>();
  private readonly children = new Set<TaskScope>();
  private done = false;

  /** True once cancelled. */
  get cancelled(): boolean {
    return this.done;
  }

  /** Resolves after `ms`; rejects with {@link TaskCancelled} if the scope is cancelled first. */
  sleep(ms: number): Promise<void> {
    if (this.done) return Promise.reject(new TaskCancelled());
    return new Promise((resolve, reject) => {
      const wake = () => {
        clearTimeout(timer);
        this.timers.delete(timer);
        this.sleepers.delete(abort);
      };
      const abort = () => {
        wake();
        reject(new TaskCancelled());
      };
      const timer = setTimeout(() => {
        wake();
        resolve();
      }, ms);
      this.timers.add(timer);
      this.sleepers.add(abort);
    });
  }

  /** Calls `task` every `ms` until the scope is cancelled. */
  every(ms: number, task: () => void): void {
    if (this.done) return;
    this.timers.add(setInterval(task, ms));
  }

  /** A scope cancelled together with this one (and on its own). */
  child(): TaskScope {
    const child = new TaskScope();
    if (this.done) child.cancel();
    else this.children.add(child);
    return child;
  }

  /** Stops every timer and wakes every sleeper with {@link TaskCancelled}. Idempotent. */
  cancel(): void {
    if (this.done) return;
    this.done = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    for (const abort of [...this.sleepers]) abort();
    for (const child of this.children) child.cancel();
    this.children.clear();
  }

  /** Forgets a finished child so long-lived scopes do not accumulate them. */
  release(child: TaskScope): void {
    this.children.delete(child);
  }
}

/** For `promise.catch(ignoreCancelled(onError))`: swallows cancellations, forwards real errors. */
export function ignoreCancelled(onError: (error: Error) => void): (error: unknown) => void {
  return (error) => {
    if (!(error instanceof TaskCancelled)) onError(error instanceof Error ? error : new Error(String(error)));
  };
}
