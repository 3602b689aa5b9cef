import type { HubState, StoredSubscription } from '../../model/hub-state.js';
import type { EmulatorStore } from '../../store/store.js';
import type { SessionStore } from './durable-sessions.js';

/**
 * Durable MQTT sessions kept in the hub state and written with the same group commit as twins.
 *
 * A failed write (disk full, read-only folder) does not fail the SUBSCRIBE: aedes would close the connection, and a
 * device that cannot subscribe to `$iothub/twin/res/#` cannot even read its twin while the hub refuses writes. So
 * the new subscriptions stay in memory, live in aedes as they are, and ride on the next successful write; only a
 * hub restart before the disk recovers loses them (nothing can be made durable then anyway).
 */
export function createSessionStore(state: HubState, store: EmulatorStore): SessionStore {
  const sessions = state.sessions;
  return {
    load: () => ({ ...sessions }),
    get: (clientId) => (Object.hasOwn(sessions, clientId) ? (sessions[clientId] ?? []) : []),
    save: async (clientId: string, subscriptions: readonly StoredSubscription[]) => {
      const previous = Object.hasOwn(sessions, clientId) ? sessions[clientId] : undefined;
      if (subscriptions.length === 0 && previous === undefined) return;
      if (subscriptions.length === 0) delete sessions[clientId];
      else sessions[clientId] = [...subscriptions];
      // No undo: the in-memory subscriptions are what aedes serves, whether or not this write succeeds.
      await store.commit(() => undefined).catch(() => undefined);
    },
  };
}
