import { argumentInvalid } from '../errors/catalogue.js';
import type { HubEventBus } from '../events.js';
import type { DeviceRecord } from '../model/device.js';
import type { JsonObject, JsonValue } from '../model/json.js';
import { isJsonObject } from '../model/json.js';
import type { TwinState } from '../model/twin.js';
import { mergeSection, replaceSection, replacementDelta } from '../twin/merge-section.js';
import { checkSectionSize, validateSectionContent } from '../twin/validate-patch.js';
import { deviceTwinView, serviceTwin, twinEtag } from '../twin/twin-views.js';
import type { Clock } from '../util/clock.js';
import { checkIfMatch } from './identity-rules.js';
import { parseServiceTwinBody, type ServiceTwinBody } from './service-twin-body.js';
import type { RegistryService } from './registry-service.js';

/**
 * Twin reads and writes from both sides (house-style H5): `$version`, `$metadata`, etag and the desired-patch
 * fan-out live here and nowhere else, whether the write came over MQTT or REST.
 */
export class TwinService {
  constructor(
    private readonly registry: RegistryService,
    private readonly clock: Clock,
    private readonly events: HubEventBus,
  ) {}

  /** The service-side twin (GET /twins/{id}). */
  getServiceTwin(deviceId: string): JsonObject {
    const record = this.registry.get(deviceId);
    return serviceTwin(record, this.registry.runtime(deviceId));
  }

  /** The device-side view (`$iothub/twin/GET`). */
  getDeviceTwin(deviceId: string): JsonObject {
    return deviceTwinView(this.registry.get(deviceId).twin);
  }

  /** Device reported PATCH: merge, +1 reported `$version`. Returns the new reported `$version`. */
  async patchReported(deviceId: string, patch: unknown): Promise<number> {
    const record = this.registry.get(deviceId);
    if (!isJsonObject(patch)) throw argumentInvalid('The reported properties patch must be a JSON object.');
    const error = validateSectionContent(patch, 'properties.reported');
    if (error) throw error;
    const now = this.clock.now().toISOString();
    const reported = mergeSection(record.twin.reported, patch, { now, trackVersion: false });
    const sizeError = checkSectionSize(reported.data, 'reported');
    if (sizeError) throw sizeError;
    await this.save(record, { ...record.twin, reported, version: record.twin.version + 1 }, ['reported']);
    return reported.version;
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
  async setModelId(deviceId: string, modelId: string): Promise<void> {
    const record = this.registry.find(deviceId);
    if (!record || record.twin.modelId === modelId) return;
    await this.registry.replace(deviceId, { ...record, twin: { ...record.twin, modelId } });
  }

  private async writeServiceSide(
    record: DeviceRecord,
    body: ServiceTwinBody,
    mode: 'merge' | 'replace',
  ): Promise<JsonObject> {
    const now = this.clock.now().toISOString();
    const twin = record.twin;
    const sections: ('tags' | 'desired')[] = [];
    let tags = twin.tags;
    let desired = twin.desired;
    let notification: JsonObject | undefined;
    if (body.tags !== undefined) {
      tags = body.tags === null || mode === 'replace' ? structuredClone(body.tags ?? {}) : mergeTags(tags, body.tags, now);
      const sizeError = checkSectionSize(tags, 'tags');
      if (sizeError) throw sizeError;
      sections.push('tags');
    }
    if (body.desired !== undefined) {
      const write = { now, trackVersion: true };
      if (body.desired === null || mode === 'replace') {
        desired = replaceSection(twin.desired, body.desired ?? {}, write);
        notification = replacementDelta(twin.desired.data, desired.data);
      } else {
        desired = mergeSection(twin.desired, body.desired, write);
        notification = body.desired;
      }
      const sizeError = checkSectionSize(desired.data, 'desired');
      if (sizeError) throw sizeError;
      sections.push('desired');
    }
    if (sections.length > 0) {
      await this.save(record, { ...twin, tags, desired, version: twin.version + 1 }, sections);
      if (notification) {
        this.events.emit('twinDesiredUpdated', {
          deviceId: record.deviceId,
          body: { ...notification, $version: desired.version },
          version: desired.version,
        });
      }
    }
    return this.getServiceTwin(record.deviceId);
  }

  private async save(record: DeviceRecord, twin: TwinState, sections: readonly ('tags' | 'desired' | 'reported')[]): Promise<void> {
    await this.registry.replace(record.deviceId, { ...record, twin });
    this.events.emit('twinUpdated', { deviceId: record.deviceId, sections, version: twin.version });
  }
}

function mergeTags(tags: JsonObject, patch: JsonObject, now: string): JsonObject {
  // Tags have no $metadata; the section merge is reused with a throwaway metadata root.
  const merged = mergeSection({ data: tags, metadata: { $lastUpdated: now }, version: 0 }, patch, {
    now,
    trackVersion: false,
  });
  return merged.data as Record<string, JsonValue>;
}
