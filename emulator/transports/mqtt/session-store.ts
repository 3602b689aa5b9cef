import type { HubState, StoredSubscription } from '../../store/hub-state.js';
import type { EmulatorStore } from '../../store/store.js';
import type { SessionStore } from './durable-sessions.js';

/** Durable MQTT sessions kept in the hub state and written with the same group commit as twins. */
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
      await store.commit(() => {
        if (previous === undefined) delete sessions[clientId];
        else sessions[clientId] = previous;
      });
    },
  };
}
