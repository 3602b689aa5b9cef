import { moduleAlreadyExists, moduleNotFound } from '../errors/catalogue.js';
import type { HubEventBus } from '../events.js';
import type { ConnectionState } from '../model/device.js';
import { NEVER } from '../model/device.js';
import type { JsonObject } from '../model/json.js';
import type { TwinState } from '../model/twin.js';
import type { HubState, ModuleRecord } from '../model/hub-state.js';
import type { EmulatorStore } from '../store/store.js';
import { freshSection } from '../twin/merge-section.js';
import { sectionView, twinEtag } from '../twin/twin-views.js';
import type { Clock } from '../util/clock.js';
import { buildAuthentication, generationId, type AuthenticationInput } from './identity-fields.js';
import { checkIfMatch, checkModuleId } from './identity-rules.js';
import type { RegistryService } from './registry-service.js';
import { parseServiceTwinBody } from './service-twin-body.js';
import { applyReportedPatch, applyServiceWrite } from './twin-writes.js';

/** What a caller may set on a module identity (typed at the edge). */
export interface ModuleInput {
  readonly deviceId: string;
  readonly moduleId: string;
  readonly managedBy?: string | null;
  readonly authentication?: AuthenticationInput;
}

interface ModuleLive {
  connections: number;
  lastActivityTime: string;
  connectionStateUpdatedTime: string;
}

/**
 * Module identities and module twins (iothub-protocol.md §3.6): a device's modules each have their own keys,
 * MQTT session and twin; modules cannot be disabled; they go with their device. Twin writes use the same rules as
 * device twins (`twin-writes.ts`) and raise the same domain events, with `moduleId` set.
 */
export class ModuleService {
  private readonly live = new Map<string, ModuleLive>();
  private readonly dispose: () => void;

  constructor(
    private readonly state: HubState,
    private readonly store: EmulatorStore,
    private readonly registry: RegistryService,
    private readonly clock: Clock,
    private readonly events: HubEventBus,
  ) {
    this.dispose = events.on('deviceDeleted', ({ deviceId }) => void this.dropDevice(deviceId).catch(() => undefined));
  }

  /** Creates a module on an existing device; 409 ModuleAlreadyExistsOnDevice if the id is taken. */
  async create(input: ModuleInput): Promise<ModuleRecord> {
    this.registry.get(input.deviceId);
    const idError = checkModuleId(input.moduleId);
    if (idError) throw idError;
    if (this.find(input.deviceId, input.moduleId)) throw moduleAlreadyExists(input.deviceId, input.moduleId);
    const now = this.clock.now().toISOString();
    const record: ModuleRecord = {
      deviceId: input.deviceId,
      moduleId: input.moduleId,
      generationId: generationId(this.clock.now()),
      identityVersion: 1,
      managedBy: input.managedBy ?? null,
      authentication: buildAuthentication(input.authentication, undefined),
      lastActivityTime: NEVER,
      twin: { tags: {}, desired: freshSection(now, true), reported: freshSection(now, false), version: 1, modelId: '' },
    };
    await this.replace(record.deviceId, record.moduleId, record);
    this.events.emit('moduleCreated', { deviceId: record.deviceId, moduleId: record.moduleId });
    return record;
  }

  /** Updates keys and `managedBy`; `If-Match` against the module etag. */
  async update(input: ModuleInput, ifMatch?: string): Promise<ModuleRecord> {
    const current = this.get(input.deviceId, input.moduleId);
    const etagError = checkIfMatch(ifMatch, moduleEtag(current));
    if (etagError) throw etagError;
    const record: ModuleRecord = {
      ...current,
      identityVersion: current.identityVersion + 1,
      managedBy: input.managedBy === undefined ? current.managedBy : input.managedBy,
      authentication: buildAuthentication(input.authentication, current.authentication),
    };
    await this.replace(record.deviceId, record.moduleId, record);
    return record;
  }

  /** The module, or 404 ModuleNotFound (404 DeviceNotFound when the device itself is unknown). */
  get(deviceId: string, moduleId: string): ModuleRecord {
    this.registry.get(deviceId);
    const record = this.find(deviceId, moduleId);
    if (!record) throw moduleNotFound(deviceId, moduleId);
    return record;
  }

  find(deviceId: string, moduleId: string): ModuleRecord | undefined {
    const modules = this.modulesOf(deviceId);
    return modules && Object.hasOwn(modules, moduleId) ? modules[moduleId] : undefined;
  }

  /** The modules of a device (DeviceNotFound for an unknown device). */
  list(deviceId: string): ModuleRecord[] {
    this.registry.get(deviceId);
    return Object.values(this.modulesOf(deviceId) ?? {});
  }

  /** Every module of every device (query `FROM devices.modules`). */
  *all(): Iterable<ModuleRecord> {
    for (const modules of Object.values(this.state.modules ?? {})) yield* Object.values(modules);
  }

  async delete(deviceId: string, moduleId: string, ifMatch?: string): Promise<void> {
    const current = this.get(deviceId, moduleId);
    const etagError = checkIfMatch(ifMatch, moduleEtag(current));
    if (etagError) throw etagError;
    await this.replace(deviceId, moduleId, undefined);
    this.live.delete(`${deviceId}/${moduleId}`);
    this.events.emit('moduleDeleted', { deviceId, moduleId });
  }

  /** The module twin as the service sees it (GET /twins/{d}/modules/{m}, query rows). */
  serviceTwin(deviceId: string, moduleId: string): JsonObject {
    return moduleServiceTwin(this.get(deviceId, moduleId), this.runtime(deviceId, moduleId));
  }

  /** The module's `$iothub/twin/GET` body. */
  deviceTwin(deviceId: string, moduleId: string): JsonObject {
    const { twin } = this.get(deviceId, moduleId);
    return { desired: sectionView(twin.desired, false), reported: sectionView(twin.reported, false) };
  }

  /** PATCH (merge) or PUT (replace) of the module twin's tags and desired; returns the full module twin. */
  async writeTwin(deviceId: string, moduleId: string, body: unknown, mode: 'merge' | 'replace', ifMatch?: string): Promise<JsonObject> {
    const record = this.get(deviceId, moduleId);
    const etagError = checkIfMatch(ifMatch, twinEtag(record.twin));
    if (etagError) throw etagError;
    const parsed = parseServiceTwinBody(body);
    const request = mode === 'replace' ? { tags: parsed.tags ?? null, desired: parsed.desired ?? null } : parsed;
    const write = applyServiceWrite(record.twin, request, mode, this.clock.now().toISOString());
    if (write.sections.length > 0) {
      await this.saveTwin(record, write.twin, write.sections);
      if (write.notification) {
        this.events.emit('twinDesiredUpdated', { deviceId, moduleId, body: write.notification, version: write.twin.desired.version });
      }
    }
    return this.serviceTwin(deviceId, moduleId);
  }

  /** Module reported PATCH over MQTT; returns the new reported `$version`. */
  async patchReported(deviceId: string, moduleId: string, patch: unknown): Promise<number> {
    const record = this.get(deviceId, moduleId);
    const twin = applyReportedPatch(record.twin, patch, this.clock.now().toISOString());
    await this.saveTwin(record, twin, ['reported']);
    return twin.reported.version;
  }

  /** Records the model id a module announced in its MQTT username. */
  async setModelId(deviceId: string, moduleId: string, modelId: string): Promise<void> {
    const record = this.find(deviceId, moduleId);
    if (!record || record.twin.modelId === modelId) return;
    await this.replace(deviceId, moduleId, { ...record, twin: { ...record.twin, modelId } });
  }

  runtime(deviceId: string, moduleId: string): { connectionState: ConnectionState; lastActivityTime: string; connectionStateUpdatedTime: string } {
    const live = this.live.get(`${deviceId}/${moduleId}`);
    return {
      connectionState: live && live.connections > 0 ? 'Connected' : 'Disconnected',
      lastActivityTime: live?.lastActivityTime ?? this.find(deviceId, moduleId)?.lastActivityTime ?? NEVER,
      connectionStateUpdatedTime: live?.connectionStateUpdatedTime ?? NEVER,
    };
  }

  markConnected(deviceId: string, moduleId: string): void {
    const live = this.liveOf(deviceId, moduleId);
    live.connections += 1;
    live.lastActivityTime = this.clock.now().toISOString();
    if (live.connections === 1) this.emitConnection(deviceId, moduleId, 'Connected');
  }

  markDisconnected(deviceId: string, moduleId: string): void {
    const live = this.live.get(`${deviceId}/${moduleId}`);
    if (!live || live.connections === 0) return;
    live.connections -= 1;
    if (live.connections === 0) this.emitConnection(deviceId, moduleId, 'Disconnected');
  }

  touch(deviceId: string, moduleId: string): void {
    this.liveOf(deviceId, moduleId).lastActivityTime = this.clock.now().toISOString();
  }

  close(): void {
    this.dispose();
  }

  private liveOf(deviceId: string, moduleId: string): ModuleLive {
    const key = `${deviceId}/${moduleId}`;
    let live = this.live.get(key);
    if (!live) {
      live = { connections: 0, lastActivityTime: NEVER, connectionStateUpdatedTime: NEVER };
      this.live.set(key, live);
    }
    return live;
  }

  private emitConnection(deviceId: string, moduleId: string, connectionState: ConnectionState): void {
    this.liveOf(deviceId, moduleId).connectionStateUpdatedTime = this.clock.now().toISOString();
    this.events.emit('connectionStateChanged', { deviceId, moduleId, connectionState });
  }

  private async saveTwin(record: ModuleRecord, twin: TwinState, sections: readonly ('tags' | 'desired' | 'reported')[]): Promise<void> {
    await this.replace(record.deviceId, record.moduleId, { ...record, twin });
    this.events.emit('twinUpdated', { deviceId: record.deviceId, moduleId: record.moduleId, sections, version: twin.version });
  }

  private modulesOf(deviceId: string): Record<string, ModuleRecord> | undefined {
    const all = this.state.modules;
    return all && Object.hasOwn(all, deviceId) ? all[deviceId] : undefined;
  }

  private async dropDevice(deviceId: string): Promise<void> {
    const all = this.state.modules;
    if (!all || !Object.hasOwn(all, deviceId)) return;
    const previous = all[deviceId];
    delete all[deviceId];
    for (const key of [...this.live.keys()]) if (key.startsWith(`${deviceId}/`)) this.live.delete(key);
    await this.store.commit(() => {
      if (previous) all[deviceId] = previous;
    });
  }

  /** Replaces (or removes) one module record and waits until that is durable (rolled back if the write fails). */
  private async replace(deviceId: string, moduleId: string, record: ModuleRecord | undefined): Promise<void> {
    const all = (this.state.modules ??= {});
    const modules = { ...(Object.hasOwn(all, deviceId) ? all[deviceId] : {}) };
    const previousModules = Object.hasOwn(all, deviceId) ? all[deviceId] : undefined;
    if (record) modules[moduleId] = record;
    else delete modules[moduleId];
    if (Object.keys(modules).length > 0) all[deviceId] = modules;
    else delete all[deviceId];
    await this.store.commit(() => {
      if (previousModules) all[deviceId] = previousModules;
      else delete all[deviceId];
    });
  }
}

/** Module identity etag: base64 of the decimal identity version, like device identities. */
export function moduleEtag(record: ModuleRecord): string {
  return Buffer.from(String(record.identityVersion)).toString('base64');
}

/** The service-side module twin: the device twin shape plus `moduleId` (iothub-protocol.md §3.6). */
export function moduleServiceTwin(record: ModuleRecord, runtime: { connectionState: ConnectionState; lastActivityTime: string }): JsonObject {
  const twin = record.twin;
  return {
    deviceId: record.deviceId,
    moduleId: record.moduleId,
    etag: twinEtag(twin),
    deviceEtag: moduleEtag(record),
    status: 'enabled',
    statusUpdateTime: NEVER,
    connectionState: runtime.connectionState,
    lastActivityTime: runtime.lastActivityTime,
    cloudToDeviceMessageCount: 0,
    authenticationType: record.authentication.type,
    x509Thumbprint: { ...record.authentication.x509Thumbprint },
    modelId: twin.modelId,
    version: twin.version,
    tags: twin.tags,
    properties: { desired: sectionView(twin.desired, true), reported: sectionView(twin.reported, true) },
  };
}

