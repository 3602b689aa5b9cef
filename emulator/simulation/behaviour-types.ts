import type { JsonObject, JsonValue } from '../model/json.js';
import type { DeviceTwinProperties } from './device-link.js';
import type { TelemetryOptions } from './link-topics.js';

/** What the behaviour needs from a connection; `DeviceLink` provides it, unit tests fake it. */
export interface DeviceChannel {
  getTwin(): Promise<DeviceTwinProperties>;
  patchReported(patch: JsonObject): Promise<number | undefined>;
  sendTelemetry(body: string, options: TelemetryOptions): Promise<void>;
  respondToMethod(rid: string, status: number, payload: JsonValue): void;
}

/** Things a simulated device did, counted and shown per device. */
export type ActivityKind =
  | 'reported'
  | 'telemetry'
  | 'desiredApplied'
  | 'desiredRejected'
  /** A desired change arrived while "apply on click" is on: kept until the trainer applies it. */
  | 'desiredHeld'
  | 'methodAnswered'
  | 'methodIgnored'
  | 'connection'
  | 'error';

/** What the behaviour tells the device that runs it. */
export interface BehaviourHost {
  /** Something happened (for counters, the activity log and the UI). */
  activity(kind: ActivityKind, detail: string): void;
  /** A step asked to end the connection for `offlineMs` (a reboot, a failure on purpose). */
  goOffline(offlineMs: number, mode: 'graceful' | 'drop', reason: string): void;
}
