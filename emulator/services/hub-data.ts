import { isStaleWrite } from '../errors/catalogue.js';
import type { CaCertificateRecord } from '../model/ca-certificate.js';
import type { HubChange } from '../model/changes.js';
import type { DeviceRecord } from '../model/device.js';
import type { AccessPolicy, HubState, ModuleRecord, StoredC2dMessage, StoredSubscription } from '../model/hub-state.js';
import { deviceOf, moduleOf } from '../state/state-lookups.js';
import type { EmulatorStore } from '../store/store.js';
import { getOwn } from '../util/own-keys.js';

/** A record a write produces, visible to later writers (never to readers) until the write is durable. */
export type Staged =
  | { readonly kind: 'device'; readonly deviceId: string; readonly value: DeviceRecord | undefined }
  | { readonly kind: 'module'; readonly deviceId: string; readonly moduleId: string; readonly value: ModuleRecord | undefined }
  | { readonly kind: 'queue'; readonly deviceId: string; readonly value: readonly StoredC2dMessage[] }
  | { readonly kind: 'session'; readonly clientId: string; readonly value: readonly StoredSubscription[] }
  | { readonly kind: 'policies'; readonly value: Readonly<Record<string, AccessPolicy>> }
  | { readonly kind: 'caCertificate'; readonly name: string; readonly value: CaCertificateRecord | undefined };

/** Times a write is planned again after a cluster node's write to the same record came first. */
const MAX_STALE_RETRIES = 8;

interface PendingEntry {
  readonly value: unknown;
  readonly write: number;
}

/**
 * The services' window on hub data, with the read-committed model of the core (ARCHITECTURE.md):
 * - `committed` is the store's state: exactly what the journal holds. Every read a client can see (twin GET,
 *   queries, device JSON, authentication) comes from it, so no `$version` or etag is ever shown that a crash could
 *   take back and re-issue for different content.
 * - `latest*` add the records of writes that are appended but not yet durable. Writers validate and number their
 *   write against them, so two concurrent writes to one twin get consecutive versions.
 * A write stages the records it produced and appends its change records; when the store has made them durable and
 * applied them to the committed state, the staged records are dropped. If the store fails, it rolls back every
 * pending write at once (group commit), and so does this overlay.
 */
export class HubData {
  private readonly pending = new Map<string, PendingEntry>();
  private writes = 0;

  constructor(
    readonly committed: HubState,
    private readonly store: EmulatorStore,
  ) {
    store.onRollback(() => this.pending.clear());
  }

  /** The device as the next write sees it. */
  latestDevice(deviceId: string): DeviceRecord | undefined {
    const key = `d:${deviceId}`;
    if (this.pending.has(key)) return this.pending.get(key)?.value as DeviceRecord | undefined;
    return deviceOf(this.committed, deviceId);
  }

  /** The module as the next write sees it (undefined when its device is gone). */
  latestModule(deviceId: string, moduleId: string): ModuleRecord | undefined {
    if (!this.latestDevice(deviceId)) return undefined;
    const key = `m:${deviceId}/${moduleId}`;
    if (this.pending.has(key)) return this.pending.get(key)?.value as ModuleRecord | undefined;
    return moduleOf(this.committed, deviceId, moduleId);
  }

  /** A device's C2D queue as the next write sees it. */
  latestQueue(deviceId: string): readonly StoredC2dMessage[] {
    const key = `q:${deviceId}`;
    if (this.pending.has(key)) return this.pending.get(key)?.value as readonly StoredC2dMessage[];
    if (!this.latestDevice(deviceId)) return [];
    return getOwn(this.committed.c2dQueues, deviceId) ?? [];
  }

  /** A client's persistent-session subscriptions as the next write sees them. */
  latestSession(clientId: string): readonly StoredSubscription[] {
    const key = `s:${clientId}`;
    if (this.pending.has(key)) return this.pending.get(key)?.value as readonly StoredSubscription[];
    return getOwn(this.committed.sessions, clientId) ?? [];
  }

  /** The shared access policies as the next write sees them. */
  latestPolicies(): Readonly<Record<string, AccessPolicy>> {
    return (this.pending.get('p')?.value as Record<string, AccessPolicy> | undefined) ?? this.committed.policies;
  }

  /** A registered CA certificate as the next write sees it. */
  latestCaCertificate(name: string): CaCertificateRecord | undefined {
    const key = `c:${name}`;
    if (this.pending.has(key)) return this.pending.get(key)?.value as CaCertificateRecord | undefined;
    return getOwn(this.committed.caCertificates, name);
  }

  /** The names of the registered CA certificates as the next write sees them. */
  latestCaCertificateNames(): string[] {
    const names = new Set(Object.keys(this.committed.caCertificates));
    for (const [key, entry] of this.pending) {
      if (!key.startsWith('c:')) continue;
      if (entry.value === undefined) names.delete(key.slice(2));
      else names.add(key.slice(2));
    }
    return [...names];
  }

  /**
   * Runs a write (`attempt`: read the latest state, validate, plan, `write`) and, when another hub node of a cluster
   * wrote one of its records first (the store refused it as stale and has read the other node's write), runs it
   * again against the new state: an `If-Match` then fails with 412 and a write without one applies on top, as on
   * one hub. A single hub never refuses a write as stale. After `MAX_STALE_RETRIES` attempts the 503 stands.
   */
  async retrying<T>(attempt: () => Promise<T>): Promise<T> {
    for (let tries = 1; ; tries++) {
      try {
        return await attempt();
      } catch (error) {
        if (!isStaleWrite(error) || tries >= MAX_STALE_RETRIES) throw error;
      }
    }
  }

  /**
   * Stages the records a write produced and appends its change records; resolves when they are durable and
   * committed, rejects (503) when the store failed.
   */
  async write(changes: readonly HubChange[], staged: readonly Staged[]): Promise<void> {
    const write = ++this.writes;
    const keys = staged.map((entry) => {
      const key = keyOf(entry);
      this.pending.set(key, { value: entry.value, write });
      return key;
    });
    try {
      await this.store.append(changes);
    } finally {
      for (const key of keys) if (this.pending.get(key)?.write === write) this.pending.delete(key);
    }
  }
}

function keyOf(entry: Staged): string {
  switch (entry.kind) {
    case 'device':
      return `d:${entry.deviceId}`;
    case 'module':
      return `m:${entry.deviceId}/${entry.moduleId}`;
    case 'queue':
      return `q:${entry.deviceId}`;
    case 'session':
      return `s:${entry.clientId}`;
    case 'caCertificate':
      return `c:${entry.name}`;
    default:
      return 'p';
  }
}
