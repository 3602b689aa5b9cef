import type { JsonObject, JsonValue } from '../../../../emulator/model/json.js';
import type { ActivityKind, BehaviourHost, DeviceChannel } from '../../../../emulator/simulation/behaviour-types.js';
import type { DeviceTwinProperties } from '../../../../emulator/simulation/device-link.js';
import type { TelemetryOptions } from '../../../../emulator/simulation/link-topics.js';

/** An in-memory hub for one device: records what the behaviour sends and merges reported patches like the hub. */
export class FakeChannel implements DeviceChannel {
  readonly reportedPatches: JsonObject[] = [];
  readonly telemetry: { body: JsonValue; options: TelemetryOptions }[] = [];
  readonly methodAnswers: { rid: string; status: number; payload: JsonValue }[] = [];
  twin: { desired: JsonObject; reported: JsonObject } = { desired: { $version: 1 }, reported: { $version: 1 } };
  failReported: Error | undefined;

  async getTwin(): Promise<DeviceTwinProperties> {
    return structuredClone(this.twin);
  }

  async patchReported(patch: JsonObject): Promise<number | undefined> {
    if (this.failReported) throw this.failReported;
    this.reportedPatches.push(structuredClone(patch));
    mergeInto(this.twin.reported, patch);
    const version = (this.twin.reported.$version as number) + 1;
    this.twin.reported.$version = version;
    return version;
  }

  async sendTelemetry(body: string, options: TelemetryOptions): Promise<void> {
    this.telemetry.push({ body: JSON.parse(body) as JsonValue, options });
  }

  respondToMethod(rid: string, status: number, payload: JsonValue): void {
    this.methodAnswers.push({ rid, status, payload });
  }

  /** A service-side desired change: updates the twin and returns the notification body. */
  desire(patch: JsonObject): JsonObject {
    mergeInto(this.twin.desired, patch);
    const version = (this.twin.desired.$version as number) + 1;
    this.twin.desired.$version = version;
    return { ...structuredClone(patch), $version: version };
  }
}

/** Records activity and offline requests. */
export class FakeHost implements BehaviourHost {
  readonly activities: { kind: ActivityKind; detail: string }[] = [];
  readonly offline: { offlineMs: number; mode: string; reason: string }[] = [];

  activity(kind: ActivityKind, detail: string): void {
    this.activities.push({ kind, detail });
  }

  goOffline(offlineMs: number, mode: 'graceful' | 'drop', reason: string): void {
    this.offline.push({ offlineMs, mode, reason });
  }

  kinds(): ActivityKind[] {
    return this.activities.map((activity) => activity.kind);
  }
}

function mergeInto(target: JsonObject, patch: JsonObject): void {
  for (const [key, value] of Object.entries(patch)) {
    const current = target[key];
    if (value === null) delete target[key];
    else if (isObject(value) && isObject(current)) mergeInto(current, value);
    else target[key] = structuredClone(value);
  }
}

function isObject(value: JsonValue | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
