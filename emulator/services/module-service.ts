import { moduleAlreadyExists, moduleNotFound } from '../errors/catalogue.js';
import type { HubEventBus } from '../events.js';
import { NEVER } from '../model/device.js';
import type { ModuleRecord } from '../model/hub-state.js';
import { freshSection } from '../twin/merge-section.js';
import { identityEtag } from '../twin/twin-views.js';
import type { Clock } from '../util/clock.js';
import type { ConnectionFacts, ConnectionTracker } from './connection-tracker.js';
import type { RequestContext } from '../model/request-context.js';
import type { DevicePort } from './device-port.js';
import type { HubData } from './hub-data.js';
import { moduleOf } from '../state/state-lookups.js';
import { getOwn } from '../util/own-keys.js';
import { buildAuthentication, generationId, type AuthenticationInput } from './identity-fields.js';
import { checkIfMatch, checkModuleId } from './identity-rules.js';
import { timeOf } from './request-contexts.js';
import type { RegistryService } from './registry-service.js';

/** What a caller may set on a module identity (typed at the edge). */
export interface ModuleInput {
  readonly deviceId: string;
  readonly moduleId: string;
  readonly managedBy?: string | null;
  readonly authentication?: AuthenticationInput;
}

/**
 * Module identities (iothub-protocol.md §3.6): a device's modules each have their own keys, MQTT session and twin;
 * modules cannot be disabled; they go with their device (the `deviceDeleted` change removes them). Module twins
 * are written through `TwinService` like device twins, addressed by `{deviceId, moduleId}`.
 */
export class ModuleService {
  constructor(
    private readonly data: HubData,
    private readonly registry: RegistryService,
    private readonly connections: ConnectionTracker,
    private readonly clock: Clock,
    private readonly events: HubEventBus,
    private readonly devices: DevicePort,
  ) {}

  /** Creates a module on an existing device; 409 ModuleAlreadyExistsOnDevice if the id is taken. */
  create(input: ModuleInput, ctx?: RequestContext): Promise<ModuleRecord> {
    return this.data.retrying(async () => {
      this.registry.get(input.deviceId);
      const idError = checkModuleId(input.moduleId);
      if (idError) throw idError;
      if (this.data.latestModule(input.deviceId, input.moduleId)) throw moduleAlreadyExists(input.deviceId, input.moduleId);
      const now = timeOf(ctx, this.clock);
      const record: ModuleRecord = {
        deviceId: input.deviceId,
        moduleId: input.moduleId,
        generationId: generationId(new Date(now)),
        identityVersion: 1,
        managedBy: input.managedBy ?? null,
        authentication: buildAuthentication(input.authentication, undefined),
        lastActivityTime: NEVER,
        twin: { tags: {}, desired: freshSection(now, true), reported: freshSection(now, false), version: 1, modelId: '' },
      };
      await this.put(record);
      this.events.emit('moduleCreated', { deviceId: record.deviceId, moduleId: record.moduleId, record });
      return record;
    });
  }

  /** Updates keys and `managedBy`; `If-Match` against the module etag. */
  update(input: ModuleInput, ifMatch?: string): Promise<ModuleRecord> {
    return this.data.retrying(async () => {
      const current = this.latest(input.deviceId, input.moduleId);
      const etagError = checkIfMatch(ifMatch, moduleEtag(current));
      if (etagError) throw etagError;
      const record: ModuleRecord = {
        ...current,
        identityVersion: current.identityVersion + 1,
        managedBy: input.managedBy === undefined ? current.managedBy : input.managedBy,
        authentication: buildAuthentication(input.authentication, current.authentication),
      };
      await this.put(record);
      return record;
    });
  }

  /** The committed module, or 404 ModuleNotFound (404 DeviceNotFound when the device itself is unknown). */
  get(deviceId: string, moduleId: string): ModuleRecord {
    this.registry.get(deviceId);
    const record = this.find(deviceId, moduleId);
    if (!record) throw moduleNotFound(deviceId, moduleId);
    return record;
  }

  /** The committed module or undefined. */
  find(deviceId: string, moduleId: string): ModuleRecord | undefined {
    return moduleOf(this.data.committed, deviceId, moduleId);
  }

  /** The modules of a device (DeviceNotFound for an unknown device). */
  list(deviceId: string): ModuleRecord[] {
    this.registry.get(deviceId);
    return Object.values(getOwn(this.data.committed.modules, deviceId) ?? {});
  }

  /** Every module of every device (query `FROM devices.modules`). */
  *all(): Iterable<ModuleRecord> {
    for (const modules of Object.values(this.data.committed.modules)) yield* Object.values(modules);
  }

  delete(deviceId: string, moduleId: string, ifMatch?: string): Promise<void> {
    return this.data.retrying(async () => {
      const current = this.latest(deviceId, moduleId);
      const etagError = checkIfMatch(ifMatch, moduleEtag(current));
      if (etagError) throw etagError;
      await this.data.write([{ kind: 'moduleDeleted', deviceId, moduleId }], [{ kind: 'module', deviceId, moduleId, value: undefined }]);
      this.connections.forget({ deviceId, moduleId });
      this.devices.disconnect({ deviceId, moduleId });
      this.events.emit('moduleDeleted', { deviceId, moduleId, record: current });
    });
  }

  /** Live facts of a module identity. */
  runtime(deviceId: string, moduleId: string): ConnectionFacts & { lastActivityTime: string } {
    const facts = this.connections.facts({ deviceId, moduleId });
    return { ...facts, lastActivityTime: facts.lastActivityTime ?? this.find(deviceId, moduleId)?.lastActivityTime ?? NEVER };
  }

  private latest(deviceId: string, moduleId: string): ModuleRecord {
    const record = this.data.latestModule(deviceId, moduleId);
    if (record) return record;
    this.registry.get(deviceId);
    throw moduleNotFound(deviceId, moduleId);
  }

  private put(record: ModuleRecord): Promise<void> {
    return this.data.write([{ kind: 'modulePut', record }], [{ kind: 'module', deviceId: record.deviceId, moduleId: record.moduleId, value: record }]);
  }
}

/** Module identity etag: base64 of the decimal identity version, like device identities. */
export function moduleEtag(record: ModuleRecord): string {
  return identityEtag(record);
}
