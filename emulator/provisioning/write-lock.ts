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
