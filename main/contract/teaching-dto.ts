/**
 * DTOs of the teaching channels (issue 18): hub snapshots and step-through. Plain JSON, times as ISO strings.
 */
import type { JsonValue } from '../../emulator/model/json.js';

/** A saved hub snapshot as listed. */
export interface SnapshotInfoDto {
  readonly name: string;
  readonly takenAt: string;
  readonly devices: number;
}

/** What a restore changed (devices created, replaced, deleted; change records in its one durable batch). */
export interface SnapshotRestoreDto {
  readonly name: string;
  readonly created: number;
  readonly replaced: number;
  readonly deleted: number;
  readonly changes: number;
}

/** A message step-through holds for a device. */
export interface HeldMessageDto {
  readonly id: number;
  readonly kind: 'desired' | 'method' | 'c2d';
  readonly deviceId: string;
  readonly moduleId?: string;
  readonly heldAt: string;
  readonly body: JsonValue;
  readonly version?: number;
}

/** Step-through: on or off, which devices (null = all), and what waits. */
export interface StepperStateDto {
  readonly enabled: boolean;
  readonly deviceIds: readonly string[] | null;
  readonly held: readonly HeldMessageDto[];
}
