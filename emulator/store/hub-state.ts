import type { DeviceRecord } from '../model/device.js';

/** A subscription of a persistent (clean=false) MQTT session. */
export interface StoredSubscription {
  readonly topic: string;
  readonly qos: number;
}

/** Shared access policy with its keys and permissions (iothub-protocol.md §2.3 step 5). */
export interface AccessPolicy {
  readonly keyName: string;
  readonly primaryKey: string;
  readonly secondaryKey: string;
  readonly rights: readonly PolicyRight[];
}

/** Permissions of shared access policies. */
export type PolicyRight = 'RegistryRead' | 'RegistryWrite' | 'ServiceConnect' | 'DeviceConnect';

/**
 * Everything the hub persists, as one document. Services replace the records inside it (never mutate a record
 * in place) and then commit through the store; see `store.ts`.
 */
export interface HubState {
  schemaVersion: 1;
  /** Shared access policies, generated on first start. */
  policies: Record<string, AccessPolicy>;
  devices: Record<string, DeviceRecord>;
  /** Durable MQTT session subscriptions by client id (sdk-notes.md §6.1). */
  sessions: Record<string, StoredSubscription[]>;
}

/** The current schema version of the data file. */
export const SCHEMA_VERSION = 1;

/** An empty hub state (policies are added by the emulator on first start). */
export function emptyHubState(): HubState {
  return { schemaVersion: SCHEMA_VERSION, policies: {}, devices: {}, sessions: {} };
}
