import type { DeviceRecord } from './device.js';
import type { ModuleRecord, StoredC2dMessage } from './hub-state.js';
import type { TwinHistoryEntry } from './twin-history.js';

/**
 * A saved hub (a "hub snapshot" in the studio): the device and module identities with their twins exactly as
 * stored (versions, `$metadata`, etags derive from them), the pending C2D queues and the twin change logs. Plain
 * JSON, the same records the store keeps. Policies, DPS, CA certificates, configurations and jobs are not in it.
 */
export interface SnapshotDocument {
  readonly format: 'twin-studio-snapshot';
  readonly version: 1;
  readonly name: string;
  readonly takenAt: string;
  readonly devices: Readonly<Record<string, DeviceRecord>>;
  readonly modules: Readonly<Record<string, Readonly<Record<string, ModuleRecord>>>>;
  readonly c2dQueues: Readonly<Record<string, readonly StoredC2dMessage[]>>;
  readonly twinHistory: Readonly<Record<string, readonly TwinHistoryEntry[]>>;
}

/** What a restore changed. */
export interface SnapshotRestoreReport {
  readonly name: string;
  /** Devices created, replaced (identity or twin differed) and deleted. */
  readonly created: number;
  readonly replaced: number;
  readonly deleted: number;
  /** Change records written (one durable batch). */
  readonly changes: number;
}
