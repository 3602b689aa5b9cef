/**
 * Runs provisioning writes one at a time. Each write validates against the committed state, so it must start only
 * once the previous write is durable (an etag check or a "create if missing" would otherwise see stale records).
 * DPS writes are rare (enrollment edits, device registrations), so queueing costs nothing measurable.
 */
export class WriteLock {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(work: () => Promise<T>): Promise<T> {
    const result = this.tail.then(work, work);
    this.tail = result.catch(() => undefined);
    return result;
  }
}

/**
 * One {@link WriteLock} per key: registrations that assign different devices touch different records (and the
 * registry and twin service stage their own), so they run side by side and share group commits; two registrations
 * of the same device run one after the other.
 */
export class KeyedWriteLock {
  private readonly tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, work: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const result = previous.then(work, work);
    const tail = result.catch(() => undefined);
    this.tails.set(key, tail);
    // The map holds only keys with work queued or running.
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }
}
