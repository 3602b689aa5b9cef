import type { JsonObject } from './model/json.js';
import type { Principal } from './model/request-context.js';
import type { TwinAddress } from './model/twin-address.js';
import type { TwinAtVersion, TwinHistoryEntry } from './model/twin-history.js';
import { requestContext } from './services/request-contexts.js';
import { parseReportedPatch, parseServiceTwinBody } from './twin/service-twin-body.js';
import type { TwinService } from './services/twin-service.js';
import type { Clock } from './util/clock.js';

/**
 * Twins as the front door offers them to the studio, the CLI and tests (`emulator.twins`): the same one write
 * path as MQTT and REST, entered with a request context whose principal is the studio (or, for `patchReported`,
 * the device itself). Bodies are validated here, at this edge, as REST validates its own.
 */
export class TwinsApi {
  constructor(
    private readonly service: TwinService,
    private readonly clock: Clock,
  ) {}

  /** The service-side twin of a device, or of a module when `moduleId` is given. */
  getServiceTwin(deviceId: string, moduleId?: string): JsonObject {
    return this.service.getServiceTwin(address(deviceId, moduleId));
  }

  /** What the device sees on `$iothub/twin/GET`. */
  getDeviceTwin(deviceId: string, moduleId?: string): JsonObject {
    return this.service.getDeviceTwin(address(deviceId, moduleId));
  }

  /** Merges tags and desired like `PATCH /twins/{id}` (If-Match optional); returns the twin it produced. */
  async updateTwin(deviceId: string, body: unknown, ifMatch?: string, moduleId?: string): Promise<JsonObject> {
    const ctx = this.context({ kind: 'studio' }, 'twin.update');
    return this.service.writeTwin(ctx, address(deviceId, moduleId), parseServiceTwinBody(body), 'merge', ifMatch);
  }

  /** Replaces tags and desired like `PUT /twins/{id}`; returns the twin it produced. */
  async replaceTwin(deviceId: string, body: unknown, ifMatch?: string, moduleId?: string): Promise<JsonObject> {
    const ctx = this.context({ kind: 'studio' }, 'twin.replace');
    return this.service.writeTwin(ctx, address(deviceId, moduleId), parseServiceTwinBody(body), 'replace', ifMatch);
  }

  /** A reported patch as if the device had sent it over MQTT; returns the new reported `$version`. */
  async patchReported(deviceId: string, patch: unknown, moduleId?: string): Promise<number> {
    const target = address(deviceId, moduleId);
    return this.service.patchReported(this.context({ kind: 'device', ...target }, 'twin.patchReported'), target, parseReportedPatch(patch));
  }

  /** The twin's change log, oldest first: version, time, writer, the patch as applied per section. */
  history(deviceId: string, moduleId?: string): readonly TwinHistoryEntry[] {
    return this.service.history(address(deviceId, moduleId));
  }

  /** The twin as it was at `version` (tags, desired, reported with their `$version`s), if the log reaches back. */
  atVersion(deviceId: string, version: number, moduleId?: string): TwinAtVersion | undefined {
    return this.service.atVersion(address(deviceId, moduleId), version);
  }

  private context(principal: Principal, operation: string) {
    return requestContext(this.clock, { principal, operation, protocol: 'studio' });
  }
}

function address(deviceId: string, moduleId: string | undefined): TwinAddress {
  return moduleId === undefined ? { deviceId } : { deviceId, moduleId };
}
