import type { SessionService } from '../../services/session-service.js';
import type { SessionStore } from './durable-sessions.js';

/** Durable MQTT sessions for aedes' persistence, kept by the session service (see session-service.ts). */
export function createSessionStore(sessions: SessionService): SessionStore {
  return {
    load: () => sessions.all(),
    get: (clientId) => sessions.get(clientId),
    save: (clientId, subscriptions) => sessions.save(clientId, subscriptions),
  };
}
