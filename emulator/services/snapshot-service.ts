import type { HubEventBus } from '../events.js';
import type { HubChange } from '../model/changes.js';
import type { DeviceRecord } from '../model/device.js';
import type { HubState, ModuleRecord, StoredC2dMessage } from '../model/hub-state.js';
import type { SnapshotDocument, SnapshotRestoreReport } from '../model/snapshot-document.js';
import { twinKey, type TwinAddress } from '../model/twin-address.js';
import type { TwinHistoryEntry } from '../model/twin-history.js';
import type { Clock } from '../util/clock.js';
import { getOwn, setOwn } from '../util/own-keys.js';
import type { ConnectionTracker } from './connection-tracker.js';
import type { DevicePort } from './device-port.js';
import type { HubData, Staged } from './hub-data.js';

/**
 * Hub snapshots (issue 18): capture the devices, modules, twins, C2D queues and twin change logs of the committed
 * state as one plain-JSON document, and restore one. A restore is ordinary change records (`devicePut`,
 * `deviceDeleted`, `modulePut`, `moduleDeleted`, C2D removals and enqueues, `twinHistorySet`) appended as one
 * durable batch through the store, so the journal, the reducer, the views and every observer see it like any other
 * write; the records are the saved ones, so twins come back with their exact versions, `$metadata` and etags.
 */
export class SnapshotService {
  constructor(
    private readonly data: HubData,
    private readonly connections: ConnectionTracker,
    private readonly clock: Clock,
    private readonly events: HubEventBus,
    private readonly devices: DevicePort,
  ) {}

  /** The committed devices, modules, queues and change logs as a document (a deep copy). */
  capture(name: string): SnapshotDocument {
    const state = this.data.committed;
    const copy = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;
    return {
      format: 'twin-studio-snapshot',
      version: 1,
      name,
      takenAt: this.clock.now().toISOString(),
      devices: copy(state.devices),
      modules: copy(state.modules),
      c2dQueues: copy(state.c2dQueues),
      twinHistory: copy(state.twinHistory),
    };
  }

  /**
   * Makes the hub's devices, modules, queues and change logs those of `snapshot` (already checked record by record
   * by the caller). Devices connected under an identity that is deleted, or whose credentials change, are
   * disconnected; the others stay connected and read the restored twin on their next GET.
   */
  async restore(snapshot: SnapshotDocument): Promise<SnapshotRestoreReport> {
    const state = this.data.committed;
    const plan = planRestore(state, snapshot);
    if (plan.changes.length > 0) await this.data.write(plan.changes, plan.staged);
    for (const deviceId of plan.deleted) {
      this.connections.forget({ deviceId });
      this.devices.disconnect({ deviceId });
      this.events.emit('deviceDeleted', { deviceId });
    }
    for (const address of plan.deletedModules) {
      this.connections.forget(address);
      this.devices.disconnect(address);
      this.events.emit('moduleDeleted', { deviceId: address.deviceId, moduleId: address.moduleId as string });
    }
    for (const deviceId of plan.created) this.events.emit('deviceCreated', { deviceId });
    for (const deviceId of plan.rekeyed) this.devices.disconnect({ deviceId });
    for (const deviceId of plan.replaced) this.events.emit('deviceUpdated', { deviceId });
    for (const { address, version } of plan.twins) this.events.emit('twinUpdated', { ...address, sections: ['tags', 'desired', 'reported'], version });
    return { name: snapshot.name, created: plan.created.length, replaced: plan.replaced.length, deleted: plan.deleted.length, changes: plan.changes.length };
  }
}

interface RestorePlan {
  readonly changes: HubChange[];
  readonly staged: Staged[];
  readonly created: string[];
  readonly replaced: string[];
  readonly deleted: string[];
  readonly rekeyed: string[];
  readonly deletedModules: TwinAddress[];
  readonly twins: { address: TwinAddress; version: number }[];
}

/** The change records that turn `state` into the snapshot's devices, modules, queues and change logs. */
export function planRestore(state: HubState, snapshot: SnapshotDocument): RestorePlan {
  const plan: RestorePlan = { changes: [], staged: [], created: [], replaced: [], deleted: [], rekeyed: [], deletedModules: [], twins: [] };
  const same = (a: unknown, b: unknown) => a === b || JSON.stringify(a) === JSON.stringify(b);
  for (const deviceId of Object.keys(state.devices)) {
    if (getOwn(snapshot.devices, deviceId)) continue;
    plan.changes.push({ kind: 'deviceDeleted', deviceId });
    plan.staged.push({ kind: 'device', deviceId, value: undefined });
    plan.deleted.push(deviceId);
  }
  for (const deviceId of Object.keys(snapshot.devices)) {
    const saved = getOwn(snapshot.devices, deviceId) as DeviceRecord;
    const current = getOwn(state.devices, deviceId);
    if (!current || !same(current, saved)) {
      plan.changes.push({ kind: 'devicePut', record: saved });
      plan.staged.push({ kind: 'device', deviceId, value: saved });
      (current ? plan.replaced : plan.created).push(deviceId);
      if (current && !same(current.authentication, saved.authentication)) plan.rekeyed.push(deviceId);
      if (!current || !same(current.twin, saved.twin)) plan.twins.push({ address: { deviceId }, version: saved.twin.version });
    }
    restoreModules(plan, getOwn(state.modules, deviceId) ?? {}, getOwn(snapshot.modules, deviceId) ?? {}, same);
    restoreQueue(plan, deviceId, current ? (getOwn(state.c2dQueues, deviceId) ?? []) : [], getOwn(snapshot.c2dQueues, deviceId) ?? [], same);
  }
  restoreHistory(plan, state, snapshot, same);
  return plan;
}

function restoreModules(
  plan: RestorePlan,
  current: Readonly<Record<string, ModuleRecord>>,
  saved: Readonly<Record<string, ModuleRecord>>,
  same: (a: unknown, b: unknown) => boolean,
): void {
  for (const moduleId of Object.keys(current)) {
    if (getOwn(saved, moduleId)) continue;
    const deviceId = (getOwn(current, moduleId) as ModuleRecord).deviceId;
    plan.changes.push({ kind: 'moduleDeleted', deviceId, moduleId });
    plan.staged.push({ kind: 'module', deviceId, moduleId, value: undefined });
    plan.deletedModules.push({ deviceId, moduleId });
  }
  for (const moduleId of Object.keys(saved)) {
    const record = getOwn(saved, moduleId) as ModuleRecord;
    const existing = getOwn(current, moduleId);
    if (existing && same(existing, record)) continue;
    plan.changes.push({ kind: 'modulePut', record });
    plan.staged.push({ kind: 'module', deviceId: record.deviceId, moduleId, value: record });
    if (!existing || !same(existing.twin, record.twin)) plan.twins.push({ address: { deviceId: record.deviceId, moduleId }, version: record.twin.version });
  }
}

function restoreQueue(
  plan: RestorePlan,
  deviceId: string,
  current: readonly StoredC2dMessage[],
  saved: readonly StoredC2dMessage[],
  same: (a: unknown, b: unknown) => boolean,
): void {
  if (same(current, saved)) return;
  if (current.length > 0) plan.changes.push({ kind: 'c2dRemoved', deviceId, messageIds: current.map((message) => message.messageId), outcome: 'Purged' });
  for (const message of saved) plan.changes.push({ kind: 'c2dEnqueued', deviceId, message });
  plan.staged.push({ kind: 'queue', deviceId, value: saved });
}

function restoreHistory(plan: RestorePlan, state: HubState, snapshot: SnapshotDocument, same: (a: unknown, b: unknown) => boolean): void {
  const wanted: Record<string, { address: TwinAddress; entries: readonly TwinHistoryEntry[] }> = {};
  for (const deviceId of Object.keys(snapshot.devices)) {
    setOwn(wanted, deviceId, { address: { deviceId }, entries: getOwn(snapshot.twinHistory, deviceId) ?? [] });
    for (const moduleId of Object.keys(getOwn(snapshot.modules, deviceId) ?? {})) {
      const address = { deviceId, moduleId };
      setOwn(wanted, twinKey(address), { address, entries: getOwn(snapshot.twinHistory, twinKey(address)) ?? [] });
    }
  }
  for (const key of Object.keys(wanted)) {
    const { address, entries } = getOwn(wanted, key) as { address: TwinAddress; entries: readonly TwinHistoryEntry[] };
    if (same(getOwn(state.twinHistory, key) ?? [], entries)) continue;
    plan.changes.push({ kind: 'twinHistorySet', target: address, entries });
  }
}
