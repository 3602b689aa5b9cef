import type { HubChange, TwinWritten } from '../model/changes.js';
import type { HubState, ModuleRecord, StoredC2dMessage } from '../model/hub-state.js';
import { ROUTING_KEY } from '../model/routing.js';
import type { TwinAddress } from '../model/twin-address.js';
import { twinKey } from '../model/twin-address.js';
import type { TwinState } from '../model/twin.js';
import { applyTwinWrite } from '../twin/twin-writes.js';
import { getOwn, setOwn } from '../util/own-keys.js';
import { applyProvisioningChange, isProvisioningChange } from './apply-provisioning-change.js';
import { deviceOf, moduleOf, ownerOf } from './state-lookups.js';
import { applyJobChange } from './job-changes.js';
import { appendHistory, historyEntry } from './twin-history.js';

/** How the reducer treats the twin change log. */
export interface ReduceOptions {
  /** Entries kept per twin (0 = no log). */
  readonly historyLimit: number;
}

/** The default length of a twin's change log. */
export const DEFAULT_HISTORY_LIMIT = 32;

/**
 * The one reducer of the hub (house-style H10): applies a change record to the state. The store runs it for every
 * durable batch (so the committed state is exactly what the journal holds) and for every record it replays at
 * start. Records are replaced, never mutated, so views that hold an old record keep seeing a consistent document.
 * A change that names a missing record is ignored (it was deleted by an earlier record of the same journal).
 */
export function applyChange(state: HubState, change: HubChange, options: ReduceOptions): void {
  switch (change.kind) {
    case 'policiesSet':
      state.policies = { ...change.policies };
      // Maps below are keyed by outside ids (`__proto__` is a legal device id): writes go through setOwn.
      return;
    case 'devicePut':
      setOwn(state.devices, change.record.deviceId, change.record);
      return;
    case 'deviceDeleted':
      deleteDevice(state, change.deviceId);
      return;
    case 'modulePut':
      putModule(state, change.record);
      return;
    case 'moduleDeleted':
      deleteModule(state, change.deviceId, change.moduleId);
      return;
    case 'twinWritten':
      writeTwin(state, change, options);
      return;
    case 'modelIdSet':
      updateTwin(state, change.target, (twin) => ({ ...twin, modelId: change.modelId }));
      return;
    case 'jobPut':
    case 'jobDevicesPut':
    case 'jobDeleted':
      applyJobChange(state, change);
      return;
    case 'configurationPut':
      setOwn(state.configurations, change.record.id, change.record);
      return;
    case 'configurationDeleted':
      delete state.configurations[change.id];
      return;
    case 'twinConfigurationsSet':
      updateTwin(state, change.target, (twin) => withConfigurations(twin, change.configurations));
      return;
    case 'twinHistorySet': {
      const key = twinKey(change.target);
      if (change.entries.length === 0 || !ownerOf(state, change.target)) delete state.twinHistory[key];
      else setOwn(state.twinHistory, key, [...change.entries]);
      return;
    }
    case 'sessionSaved':
      if (change.subscriptions.length === 0) delete state.sessions[change.clientId];
      else setOwn(state.sessions, change.clientId, [...change.subscriptions]);
      return;
    case 'caCertificatePut':
      setOwn(state.caCertificates, change.record.name, change.record);
      return;
    case 'caCertificateDeleted':
      delete state.caCertificates[change.name];
      return;
    case 'consumerGroupPut':
      setOwn(state.consumerGroups, change.record.name.toLowerCase(), change.record);
      return;
    case 'consumerGroupDeleted':
      delete state.consumerGroups[change.name.toLowerCase()];
      return;
    case 'routingSet':
      setOwn(state.routing, ROUTING_KEY, change.routing);
      return;
    default:
      if (isProvisioningChange(change)) applyProvisioningChange(state, change);
      else applyC2dChange(state, change);
  }
}

/** The twin with its `configurations` map; an empty map removes the field. */
function withConfigurations(twin: TwinState, configurations: TwinState['configurations']): TwinState {
  const { configurations: _old, ...rest } = twin;
  return configurations === undefined || Object.keys(configurations).length === 0 ? rest : { ...rest, configurations };
}

function writeTwin(state: HubState, change: TwinWritten, options: ReduceOptions): void {
  const before = ownerOf(state, change.target)?.twin;
  if (!before) return;
  const parts = { tags: change.tags, desired: change.desired, reported: change.reported };
  updateTwin(state, change.target, (twin) => applyTwinWrite(twin, stripUndefined(parts), change.time));
  if (options.historyLimit <= 0) return;
  const key = twinKey(change.target);
  const after = ownerOf(state, change.target)?.twin;
  setOwn(state.twinHistory, key, appendHistory(getOwn(state.twinHistory, key), historyEntry(before, change, after), options.historyLimit));
}

function updateTwin(state: HubState, address: TwinAddress, update: (twin: TwinState) => TwinState): void {
  if (address.moduleId === undefined) {
    const record = deviceOf(state, address.deviceId);
    if (record) setOwn(state.devices, address.deviceId, { ...record, twin: update(record.twin) });
    return;
  }
  const record = moduleOf(state, address.deviceId, address.moduleId);
  if (record) putModule(state, { ...record, twin: update(record.twin) });
}

function deleteDevice(state: HubState, deviceId: string): void {
  delete state.devices[deviceId];
  delete state.c2dQueues[deviceId];
  const modules = getOwn(state.modules, deviceId);
  delete state.modules[deviceId];
  delete state.twinHistory[deviceId];
  for (const moduleId of Object.keys(modules ?? {})) delete state.twinHistory[twinKey({ deviceId, moduleId })];
}

function putModule(state: HubState, record: ModuleRecord): void {
  // The per-device map is replaced too, so a snapshot that holds the old map is unaffected.
  setOwn(state.modules, record.deviceId, { ...getOwn(state.modules, record.deviceId), [record.moduleId]: record });
}

function deleteModule(state: HubState, deviceId: string, moduleId: string): void {
  const modules = { ...getOwn(state.modules, deviceId) };
  delete modules[moduleId];
  if (Object.keys(modules).length > 0) setOwn(state.modules, deviceId, modules);
  else delete state.modules[deviceId];
  delete state.twinHistory[twinKey({ deviceId, moduleId })];
}

type C2dChange = Extract<HubChange, { kind: 'c2dEnqueued' | 'c2dDelivered' | 'c2dRemoved' }>;

function applyC2dChange(state: HubState, change: C2dChange): void {
  const queue: readonly StoredC2dMessage[] = getOwn(state.c2dQueues, change.deviceId) ?? [];
  let next: StoredC2dMessage[];
  if (change.kind === 'c2dEnqueued') next = [...queue, change.message];
  else if (change.kind === 'c2dDelivered') {
    next = queue.map((message) => (message.messageId === change.messageId ? { ...message, deliveryCount: change.deliveryCount } : message));
  } else {
    const gone = new Set(change.messageIds);
    next = queue.filter((message) => !gone.has(message.messageId));
  }
  if (next.length > 0) setOwn(state.c2dQueues, change.deviceId, next);
  else delete state.c2dQueues[change.deviceId];
}

function stripUndefined<T extends object>(value: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  const result: Record<string, unknown> = {};
  for (const [key, entry] of Object.entries(value)) if (entry !== undefined) result[key] = entry;
  return result as { [K in keyof T]: Exclude<T[K], undefined> };
}
