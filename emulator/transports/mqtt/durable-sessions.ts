import MemoryPersistence, { type PersistedSubscription } from 'aedes-persistence/asyncPersistence.js';
import { CallBackPersistence } from 'aedes-persistence/callBackPersistence.js';

import type { StoredSubscription } from '../../model/hub-state.js';

/** Where durable session subscriptions live (the hub store). */
export interface SessionStore {
  /** Every persisted session at start-up. */
  load(): Record<string, readonly StoredSubscription[]>;
  /** One client's persisted subscriptions (empty when it has no session). */
  get(clientId: string): readonly StoredSubscription[];
  /**
   * Persists one client's subscriptions (empty = forget the session); resolves when durable, or when the store
   * failed to write them (they then stay in memory until the next successful write; see session-store.ts).
   */
  save(clientId: string, subscriptions: readonly StoredSubscription[]): Promise<void>;
}

/**
 * aedes-persistence's memory persistence with write-through of subscriptions to the hub store, so clean=false
 * sessions survive hub restarts (sdk-notes.md §6.1: the Node SDK never re-subscribes twin topics after a
 * reconnect). It goes through aedes' documented persistence interface (house-style H7/H10); in-flight QoS 1
 * packets stay in memory, because C2D messages have their own durable queue.
 */
class DurableSubscriptionPersistence extends MemoryPersistence {
  constructor(private readonly sessions: SessionStore) {
    super();
  }

  override async setup(broker: unknown): Promise<void> {
    await super.setup(broker);
    for (const [clientId, subscriptions] of Object.entries(this.sessions.load())) {
      if (subscriptions.length === 0) continue;
      await super.addSubscriptions({ id: clientId }, subscriptions.map(restored));
    }
  }

  override async addSubscriptions(client: { id: string }, subs: readonly PersistedSubscription[]): Promise<void> {
    await super.addSubscriptions(client, subs);
    await this.persist(client.id);
  }

  override async removeSubscriptions(client: { id: string }, subs: readonly string[]): Promise<void> {
    await super.removeSubscriptions(client, subs);
    await this.persist(client.id);
  }

  /**
   * aedes asks this when a client connects with clean=false (to restore its session). The hub store is the
   * session's truth: when another hub node of a cluster changed it (the device was connected there), the store has
   * the newer subscriptions and this memory copy is brought up to them first.
   */
  override async subscriptionsByClient(client: { id: string }): Promise<PersistedSubscription[]> {
    const stored = this.sessions.get(client.id);
    const held = await super.subscriptionsByClient(client);
    if (!sameSubscriptions(stored, held)) {
      if (held.length > 0) await super.removeSubscriptions(client, held.map((sub) => sub.topic));
      if (stored.length > 0) await super.addSubscriptions(client, stored.map(restored));
    }
    return super.subscriptionsByClient(client);
  }

  override async cleanSubscriptions(client: { id: string }): Promise<void> {
    const before = await super.subscriptionsByClient(client);
    await super.cleanSubscriptions(client);
    // Clean sessions connect often; only a session that had something stored costs a write.
    if (before.length > 0) await this.sessions.save(client.id, []);
  }

  private async persist(clientId: string): Promise<void> {
    const subs = await super.subscriptionsByClient({ id: clientId });
    await this.sessions.save(
      clientId,
      subs.map((sub) => ({ topic: sub.topic, qos: sub.qos })),
    );
  }
}

function sameSubscriptions(stored: readonly StoredSubscription[], held: readonly PersistedSubscription[]): boolean {
  if (stored.length !== held.length) return false;
  const qosByTopic = new Map(held.map((sub) => [sub.topic, sub.qos]));
  return stored.every((sub) => qosByTopic.get(sub.topic) === sub.qos);
}

function restored(sub: StoredSubscription): PersistedSubscription {
  return { topic: sub.topic, qos: sub.qos, rh: 0, rap: false, nl: false };
}

/** The persistence object to hand to `Aedes.createBroker({ persistence })`. */
export function createDurableSessionPersistence(sessions: SessionStore): unknown {
  return new CallBackPersistence(() => new DurableSubscriptionPersistence(sessions));
}
