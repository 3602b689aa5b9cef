import type { HubEventBus } from '../events.js';
import type { DeviceRecord } from '../model/device.js';
import type { JsonObject } from '../model/json.js';
import type { TwinState } from '../model/twin.js';
import { deviceTwinView, serviceTwin, twinEtag } from '../twin/twin-views.js';
import type { Clock } from '../util/clock.js';
import { checkIfMatch } from './identity-rules.js';
import { parseServiceTwinBody, type ServiceTwinBody } from './service-twin-body.js';
import type { ModuleService } from './module-service.js';
import type { RegistryService } from './registry-service.js';
import { applyReportedPatch, applyServiceWrite } from './twin-writes.js';

/**
 * Twin reads and writes from both sides (house-style H5): `$version`, `$metadata`, etag and the desired-patch
 * fan-out live here and nowhere else, whether the write came over MQTT or REST.
 */
export class TwinService {
  constructor(
    private readonly registry: RegistryService,
    private readonly clock: Clock,
    private readonly events: HubEventBus,
    /** Module twins (same topics over MQTT, iothub-protocol.md §3.6); absent in hubs built without modules. */
    private readonly modules?: ModuleService,
  ) {}

  /** The service-side twin (GET /twins/{id}). */
  getServiceTwin(deviceId: string): JsonObject {
    const record = this.registry.get(deviceId);
    return serviceTwin(record, this.registry.runtime(deviceId));
  }

  /** The device-side view (`$iothub/twin/GET`); a module's own twin when `moduleId` is given. */
  getDeviceTwin(deviceId: string, moduleId?: string): JsonObject {
    if (moduleId !== undefined && this.modules) return this.modules.deviceTwin(deviceId, moduleId);
    return deviceTwinView(this.registry.get(deviceId).twin);
  }

  /** Device reported PATCH: merge, +1 reported `$version`. Returns the new reported `$version`. */
  async patchReported(deviceId: string, patch: unknown, moduleId?: string): Promise<number> {
    if (moduleId !== undefined && this.modules) return this.modules.patchReported(deviceId, moduleId, patch);
    const record = this.registry.get(deviceId);
    const twin = applyReportedPatch(record.twin, patch, this.clock.now().toISOString());
    await this.save(record, twin, ['reported']);
    return twin.reported.version;
  }

  /** Service PATCH /twins/{id}: merge tags and desired (iothub-protocol.md §7.4). Returns the full twin. */
  async updateTwin(deviceId: string, body: unknown, ifMatch?: string): Promise<JsonObject> {
    const record = this.registry.get(deviceId);
    const etagError = checkIfMatch(ifMatch, twinEtag(record.twin));
    if (etagError) throw etagError;
    const parsed = parseServiceTwinBody(body);
    return this.writeServiceSide(record, parsed, 'merge');
  }

  /** Service PUT /twins/{id}: replace tags and desired; omitted sections become empty. Returns the full twin. */
  async replaceTwin(deviceId: string, body: unknown, ifMatch?: string): Promise<JsonObject> {
    const record = this.registry.get(deviceId);
    const etagError = checkIfMatch(ifMatch, twinEtag(record.twin));
    if (etagError) throw etagError;
    const parsed = parseServiceTwinBody(body);
    return this.writeServiceSide(record, { tags: parsed.tags ?? null, desired: parsed.desired ?? null }, 'replace');
  }

  /** Records the IoT Plug and Play model id a device announced in its MQTT username. */
  async setModelId(deviceId: string, modelId: string, moduleId?: string): Promise<void> {
    if (moduleId !== undefined) return this.modules?.setModelId(deviceId, moduleId, modelId);
    const record = this.registry.find(deviceId);
    if (!record || record.twin.modelId === modelId) return;
    await this.registry.replace(deviceId, { ...record, twin: { ...record.twin, modelId } });
  }

  private async writeServiceSide(
    record: DeviceRecord,
    body: ServiceTwinBody,
    mode: 'merge' | 'replace',
  ): Promise<JsonObject> {
    const write = applyServiceWrite(record.twin, body, mode, this.clock.now().toISOString());
    const saved: DeviceRecord = write.sections.length > 0 ? { ...record, twin: write.twin } : record;
    if (write.sections.length > 0) {
      await this.save(record, write.twin, write.sections);
      if (write.notification) {
        this.events.emit('twinDesiredUpdated', {
          deviceId: record.deviceId,
          body: write.notification,
          version: write.twin.desired.version,
        });
      }
    }
    // The twin this write produced, not whatever later writes in the same group commit made of it: its etag is the
    // one the caller must send next.
    return serviceTwin(saved, this.registry.runtime(record.deviceId));
  }

  private async save(record: DeviceRecord, twin: TwinState, sections: readonly ('tags' | 'desired' | 'reported')[]): Promise<void> {
    await this.registry.replace(record.deviceId, { ...record, twin });
    this.events.emit('twinUpdated', { deviceId: record.deviceId, sections, version: twin.version });
  }
}
