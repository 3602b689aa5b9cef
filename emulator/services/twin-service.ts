import { deviceNotFound, moduleNotFound } from '../errors/catalogue.js';
import type { HubEventBus } from '../events.js';
import type { TwinWritten } from '../model/changes.js';
import type { TwinConfigurations } from '../model/configuration.js';
import type { JsonObject } from '../model/json.js';
import type { ModuleRecord } from '../model/hub-state.js';
import type { RequestContext } from '../model/request-context.js';
import type { TwinAddress } from '../model/twin-address.js';
import { twinKey } from '../model/twin-address.js';
import type { TwinState } from '../model/twin.js';
import type { TwinAtVersion, TwinHistoryEntry } from '../model/twin-history.js';
import { twinAtVersion } from '../state/twin-history.js';
import { deviceTwinView, serviceTwin, twinEtag, type RuntimeState, type TwinOwner } from '../twin/twin-views.js';
import { planReportedPatch, planServiceWrite, type PlannedTwinWrite, type ServiceTwinBody } from '../twin/twin-writes.js';
import type { DevicePort } from './device-port.js';
import type { HubData, Staged } from './hub-data.js';
import { deviceOf, ownerOf } from '../state/state-lookups.js';
import { getOwn } from '../util/own-keys.js';
import { checkIfMatch } from './identity-rules.js';

/** Live facts of a twin's identity (connection state, activity, C2D count), from the registry. */
export type RuntimeOf = (address: TwinAddress) => RuntimeState;

/**
 * Device twins and module twins, from both sides (house-style H5): one write path for every twin — latest state →
 * validate → plan (merge, `$version`, `$metadata`) → change record → durable → notify — whether the write came
 * over MQTT, REST, the studio or a job, and whether the twin is a device's or a module's (`TwinAddress`). Reads
 * return committed (durable) state only.
 */
export class TwinService {
  constructor(
    private readonly data: HubData,
    private readonly runtime: RuntimeOf,
    private readonly events: HubEventBus,
    private readonly devices: DevicePort,
  ) {}

  /** The service-side twin (GET /twins/{id}[/modules/{m}]), committed state. */
  getServiceTwin(address: TwinAddress): JsonObject {
    return serviceTwin(this.committedOwner(address), this.runtime(address));
  }

  /** The device-side view (`$iothub/twin/GET` body), committed state. */
  getDeviceTwin(address: TwinAddress): JsonObject {
    return deviceTwinView(this.committedOwner(address).twin);
  }

  /** Device reported PATCH: merge, +1 reported `$version`. Returns the new reported `$version` once durable. */
  patchReported(ctx: RequestContext, address: TwinAddress, patch: JsonObject): Promise<number> {
    return this.data.retrying(async () => {
      const owner = this.latestOwner(address);
      const planned = planReportedPatch(owner.twin, patch, ctx.time);
      await this.save(ctx, address, owner, planned);
      return planned.twin.reported.version;
    });
  }

  /**
   * Service PATCH (`merge`) or PUT (`replace`) of tags and desired (iothub-protocol.md §7.4), `If-Match` against
   * the twin etag. Returns the twin this write produced (its etag is the one the caller must send next).
   */
  writeTwin(ctx: RequestContext, address: TwinAddress, body: ServiceTwinBody, mode: 'merge' | 'replace', ifMatch?: string): Promise<JsonObject> {
    return this.data.retrying(async () => {
      const owner = this.latestOwner(address);
      const etagError = checkIfMatch(ifMatch, twinEtag(owner.twin));
      if (etagError) throw etagError;
      const planned = planServiceWrite(owner.twin, body, mode, ctx.time);
      if (Object.keys(planned.parts).length === 0) return serviceTwin(owner, this.runtime(address));
      const saved = await this.save(ctx, address, owner, planned);
      if (planned.notification) {
        const version = planned.twin.desired.version;
        this.devices.notifyDesired(address, planned.notification, version);
        this.events.emit('twinDesiredUpdated', { ...address, body: planned.notification, version });
      }
      return serviceTwin(saved, this.runtime(address));
    });
  }

  /** Records the IoT Plug and Play model id a device or module announced in its MQTT username. */
  setModelId(address: TwinAddress, modelId: string): Promise<void> {
    return this.data.retrying(async () => {
      const owner = this.findLatest(address);
      if (!owner || owner.twin.modelId === modelId) return;
      await this.data.write([{ kind: 'modelIdSet', target: address, modelId }], [staged(address, { ...owner, twin: { ...owner.twin, modelId } })]);
    });
  }

  /**
   * Records which configurations target the twin and their status (automatic device management). Not a twin
   * `version` step: the map is the hub's bookkeeping, shown on the twin and in queries.
   */
  setConfigurations(address: TwinAddress, configurations: TwinConfigurations): Promise<void> {
    return this.data.retrying(async () => {
      const owner = this.findLatest(address);
      if (!owner) return;
      const { configurations: _old, ...rest } = owner.twin;
      const twin = Object.keys(configurations).length === 0 ? rest : { ...rest, configurations };
      await this.data.write([{ kind: 'twinConfigurationsSet', target: address, configurations }], [staged(address, { ...owner, twin })]);
    });
  }

  /** The twin's change log, oldest first (bounded per twin; see `historyLimit`). */
  history(address: TwinAddress): readonly TwinHistoryEntry[] {
    this.committedOwner(address);
    return getOwn(this.data.committed.twinHistory, twinKey(address)) ?? [];
  }

  /** The twin's content at a version still in its change log, or undefined when the log does not reach back. */
  atVersion(address: TwinAddress, version: number): TwinAtVersion | undefined {
    const owner = this.committedOwner(address);
    return twinAtVersion(owner.twin, this.history(address), version);
  }

  private async save(ctx: RequestContext, address: TwinAddress, owner: TwinOwner, planned: PlannedTwinWrite): Promise<TwinOwner> {
    const twin: TwinState = planned.twin;
    const change: TwinWritten = {
      kind: 'twinWritten',
      target: address,
      time: ctx.time,
      writer: ctx.principal,
      ...planned.parts,
      version: twin.version,
      desiredVersion: twin.desired.version,
      reportedVersion: twin.reported.version,
    };
    const next: TwinOwner = { ...owner, twin };
    await this.data.write([change], [staged(address, next)]);
    const sections = Object.keys(planned.parts) as ('tags' | 'desired' | 'reported')[];
    this.events.emit('twinUpdated', { ...address, sections, version: twin.version });
    return next;
  }

  private latestOwner(address: TwinAddress): TwinOwner {
    const owner = this.findLatest(address);
    if (owner) return owner;
    throw missing(address, this.data.latestDevice(address.deviceId) !== undefined);
  }

  private findLatest(address: TwinAddress): TwinOwner | undefined {
    return address.moduleId === undefined ? this.data.latestDevice(address.deviceId) : this.data.latestModule(address.deviceId, address.moduleId);
  }

  private committedOwner(address: TwinAddress): TwinOwner {
    const committed = this.data.committed;
    const owner = ownerOf(committed, address);
    if (owner) return owner;
    throw missing(address, deviceOf(committed, address.deviceId) !== undefined);
  }
}

function missing(address: TwinAddress, deviceExists: boolean): Error {
  if (address.moduleId === undefined || !deviceExists) return deviceNotFound(address.deviceId);
  return moduleNotFound(address.deviceId, address.moduleId);
}

function staged(address: TwinAddress, owner: TwinOwner): Staged {
  return address.moduleId === undefined
    ? { kind: 'device', deviceId: address.deviceId, value: owner as Extract<TwinOwner, { status: unknown }> }
    : { kind: 'module', deviceId: address.deviceId, moduleId: address.moduleId, value: owner as ModuleRecord };
}
