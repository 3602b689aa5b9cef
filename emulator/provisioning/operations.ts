import { randomBytes, randomUUID } from 'node:crypto';

import type { RegistrationRecord } from '../model/provisioning.js';

/** A registration's long-running operation as the device polls it (iothub-protocol-2.md §2.5). */
export interface OperationStatus {
  readonly operationId: string;
  readonly status: 'assigning' | RegistrationRecord['status'];
  /** Present once the operation ended (assigned, disabled, failed). */
  readonly registrationState?: RegistrationRecord;
}

interface Entry {
  readonly registrationKey: string;
  readonly startedAt: number;
  result: RegistrationRecord | undefined;
}

/** Operations kept at most; the oldest go first. */
const MAX_OPERATIONS = 10_000;
/** An operation id is answered this long after it was issued (devices poll within seconds). */
const OPERATION_TTL_MS = 10 * 60_000;

/**
 * The operation ids issued by `register`, in memory: they live seconds (a device polls until assigned), so a hub
 * restart forgets them and the device's next poll gets 404 and registers again, as after a DPS failover. Bounded
 * in count and age.
 */
export class OperationTable {
  private readonly entries = new Map<string, Entry>();

  /** A new operation for a registration id, still assigning. */
  start(registrationKey: string, nowMs: number): string {
    this.evict(nowMs);
    // Shaped like DPS's ids: `<n>.<16 hex>.<uuid>`.
    const operationId = `5.${randomBytes(8).toString('hex')}.${randomUUID()}`;
    this.entries.set(operationId, { registrationKey, startedAt: nowMs, result: undefined });
    return operationId;
  }

  /** Records how the operation ended. */
  finish(operationId: string, result: RegistrationRecord): void {
    const entry = this.entries.get(operationId);
    if (entry) entry.result = result;
  }

  /** The operation's status, or undefined when the id is unknown, expired or belongs to another registration id. */
  status(operationId: string, registrationKey: string, nowMs: number): OperationStatus | undefined {
    const entry = this.entries.get(operationId);
    if (!entry || entry.registrationKey !== registrationKey || nowMs - entry.startedAt > OPERATION_TTL_MS) return undefined;
    if (!entry.result) return { operationId, status: 'assigning' };
    return { operationId, status: entry.result.status, registrationState: entry.result };
  }

  private evict(nowMs: number): void {
    for (const [id, entry] of this.entries) {
      if (this.entries.size < MAX_OPERATIONS && nowMs - entry.startedAt <= OPERATION_TTL_MS) break;
      this.entries.delete(id);
    }
  }
}
