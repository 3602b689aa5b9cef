/** A C2D message received over HTTPS and not yet settled (iothub-protocol-2.md §4.4). */
export interface C2dLock {
  /** Opaque token the device echoes to settle the message (the reply's `ETag`, without quotes). */
  readonly lockToken: string;
  readonly deviceId: string;
  readonly messageId: string;
  /** Epoch milliseconds after which the lock is gone and the message is visible again. */
  readonly lockedUntil: number;
}

/**
 * The HTTPS receive locks, in memory only: a hub restart drops them and every locked message becomes visible again,
 * which is what IoT Hub does when a lock expires (§4.4, checklist 148). A lock whose time has passed counts as
 * absent everywhere, so expiry needs no timer; stale entries are dropped whenever they are looked at.
 */
export class C2dLocks {
  private readonly byToken = new Map<string, C2dLock>();
  private readonly byMessage = new Map<string, string>();

  /** True when the message is locked at `nowMs` (an HTTPS device holds it). */
  isLocked(deviceId: string, messageId: string, nowMs: number): boolean {
    const token = this.byMessage.get(messageKey(deviceId, messageId));
    return token !== undefined && this.find(deviceId, token, nowMs) !== undefined;
  }

  /** Records a lock; the caller has checked that the message is not locked. */
  take(lock: C2dLock): void {
    this.byToken.set(lock.lockToken, lock);
    this.byMessage.set(messageKey(lock.deviceId, lock.messageId), lock.lockToken);
  }

  /** The live lock with this token on this device, or undefined (unknown, another device's, or expired). */
  find(deviceId: string, lockToken: string, nowMs: number): C2dLock | undefined {
    const lock = this.byToken.get(lockToken);
    if (!lock) return undefined;
    if (lock.lockedUntil <= nowMs) {
      this.release(lockToken);
      return undefined;
    }
    return lock.deviceId === deviceId ? lock : undefined;
  }

  /** Forgets a lock (settled, abandoned, or its delivery failed). */
  release(lockToken: string): void {
    const lock = this.byToken.get(lockToken);
    if (!lock) return;
    this.byToken.delete(lockToken);
    const key = messageKey(lock.deviceId, lock.messageId);
    if (this.byMessage.get(key) === lockToken) this.byMessage.delete(key);
  }

  /** Forgets the locks on messages that left the queue (settled, expired, purged). */
  releaseMessages(deviceId: string, messageIds: readonly string[]): void {
    for (const messageId of messageIds) {
      const token = this.byMessage.get(messageKey(deviceId, messageId));
      if (token !== undefined) this.release(token);
    }
  }

  clear(): void {
    this.byToken.clear();
    this.byMessage.clear();
  }
}

function messageKey(deviceId: string, messageId: string): string {
  return `${deviceId}\n${messageId}`;
}
