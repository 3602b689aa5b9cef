import type { StoredSubscription } from '../model/hub-state.js';
import type { HubData } from './hub-data.js';

/**
 * Durable MQTT sessions (sdk-notes.md §6.1): the subscriptions of clean=false sessions, written as `sessionSaved`
 * change records with the same group commit as twins, so connecting N persistent devices writes O(N) bytes.
 *
 * A failed write does not fail the SUBSCRIBE: aedes would close the connection, and a device that cannot subscribe
 * to `$iothub/twin/res/#` cannot even read its twin while the hub refuses writes. The subscriptions then live in
 * aedes as they are and are written again with the session's next change; only a hub restart before the disk
 * recovers loses them (nothing can be made durable then anyway).
 */
export class SessionService {
  constructor(private readonly data: HubData) {}

  /** Every persisted session (committed), at start-up. */
  all(): Record<string, readonly StoredSubscription[]> {
    return { ...this.data.committed.sessions };
  }

  /** One client's subscriptions as the next write sees them (empty when it has no session). */
  get(clientId: string): readonly StoredSubscription[] {
    return this.data.latestSession(clientId);
  }

  /** Persists one client's subscriptions (empty = forget the session); resolves when durable or when the write failed. */
  async save(clientId: string, subscriptions: readonly StoredSubscription[]): Promise<void> {
    if (subscriptions.length === 0 && this.get(clientId).length === 0) return;
    const copy = subscriptions.map((subscription) => ({ topic: subscription.topic, qos: subscription.qos }));
    // The whole list is written, so a write that lost a race with another cluster node is simply written again.
    await this.data
      .retrying(() => this.data.write([{ kind: 'sessionSaved', clientId, subscriptions: copy }], [{ kind: 'session', clientId, value: copy }]))
      .catch(() => undefined);
  }
}
