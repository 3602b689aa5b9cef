import { isJsonObject, type JsonValue } from '../model/json.js';
import { SDK_FAULT_TYPES, type SdkFaultType } from './sdk-faults.js';

/**
 * A fault the studio, the CLI or a scenario file asks for. `device` names one device (its modules too); without it the
 * fault is hub-wide (every device). Durations are milliseconds; a timed fault without `durationMs` lasts until it is
 * cleared.
 */
export type FaultSpec =
  /** Drop the device's live connections now (the socket is destroyed; the SDK sees a network error). */
  | { readonly fault: 'drop'; readonly device?: string }
  /** Refuse new connections (MQTT CONNACK 3, AMQP `com.microsoft:device-container-throttled` on attach) for a while. */
  | { readonly fault: 'refuseConnections'; readonly device?: string; readonly durationMs: number }
  /** Hold every answer to the device's (or anyone's) requests back by `latencyMs` plus up to `jitterMs` (seeded). */
  | { readonly fault: 'latency'; readonly device?: string; readonly latencyMs: number; readonly jitterMs?: number; readonly durationMs?: number }
  /** Lose this fraction of the QoS 0 device-to-cloud messages (seeded: the same messages each replay). */
  | { readonly fault: 'lossQos0'; readonly device?: string; readonly fraction: number; readonly durationMs?: number }
  /** End the device's connections as an expired SAS token does, so the SDK authenticates again. */
  | { readonly fault: 'expireToken'; readonly device?: string }
  /** Direct methods to the device are never delivered, so the caller gets 504 GatewayTimeout after its timeout. */
  | { readonly fault: 'methodTimeout'; readonly device?: string; readonly durationMs?: number }
  /** Close every listener and connection (the hub is "down"); back after `durationMs` when given. */
  | { readonly fault: 'hubDown'; readonly durationMs?: number }
  /** Reopen the listeners on the same ports. */
  | { readonly fault: 'hubUp' }
  /** One of the SDKs' fault-injection operations, applied to the device's connection as if it had sent the message. */
  | { readonly fault: 'sdk'; readonly device: string; readonly type: SdkFaultType; readonly delayMs?: number; readonly durationMs?: number; readonly closeReason?: string }
  /** End the active faults of a device (or every fault). */
  | { readonly fault: 'clear'; readonly device?: string };

export type FaultName = FaultSpec['fault'];

/** Every fault name, in the order the studio lists them. */
export const FAULT_NAMES: readonly FaultName[] = ['drop', 'refuseConnections', 'latency', 'lossQos0', 'expireToken', 'methodTimeout', 'hubDown', 'hubUp', 'sdk', 'clear'];

/** The fields each fault takes besides `fault` and `device`; `true` = required. */
const FIELDS: Readonly<Record<FaultName, Readonly<Record<string, boolean>>>> = {
  drop: {},
  refuseConnections: { durationMs: true },
  latency: { latencyMs: true, jitterMs: false, durationMs: false },
  lossQos0: { fraction: true, durationMs: false },
  expireToken: {},
  methodTimeout: { durationMs: false },
  hubDown: { durationMs: false },
  hubUp: {},
  sdk: { type: true, delayMs: false, durationMs: false, closeReason: false },
  clear: {},
};

/** Faults that act on the whole hub and take no `device`. */
const HUB_ONLY: ReadonlySet<FaultName> = new Set(['hubDown', 'hubUp']);
/** Longest duration, latency or delay accepted (a day). */
const MAX_MS = 86_400_000;

/** A fault or scenario file that does not make sense; `path` names the bad field (`steps[2].fraction`). */
export class FaultSpecError extends Error {
  constructor(
    readonly path: string,
    readonly problem: string,
  ) {
    super(`${path}: ${problem}`);
    this.name = 'FaultSpecError';
  }
}

/** Checks one fault (from JSON); throws {@link FaultSpecError} naming the field below `path`. */
export function parseFaultSpec(value: unknown, path = 'fault', extraKeys: readonly string[] = []): FaultSpec {
  if (!isJsonObject(value as JsonValue)) throw new FaultSpecError(path, 'must be an object');
  const object = value as Readonly<Record<string, unknown>>;
  const name = object.fault;
  if (typeof name !== 'string' || !Object.hasOwn(FIELDS, name)) {
    throw new FaultSpecError(`${path}.fault`, `must be one of ${FAULT_NAMES.join(', ')}${name === undefined ? '' : `, got ${JSON.stringify(name)}`}`);
  }
  const fault = name as FaultName;
  const fields = FIELDS[fault];
  const out: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  out.fault = fault;
  for (const key of Object.keys(object)) {
    if (key === 'fault' || extraKeys.includes(key)) continue;
    if (key === 'device') {
      if (HUB_ONLY.has(fault)) throw new FaultSpecError(`${path}.device`, `'${fault}' acts on the whole hub and takes no device`);
      out.device = deviceOf(object.device, `${path}.device`);
      continue;
    }
    if (!Object.hasOwn(fields, key)) throw new FaultSpecError(`${path}.${key}`, `is not a field of '${fault}' (its fields: ${['device', ...Object.keys(fields)].filter((field) => field !== 'device' || !HUB_ONLY.has(fault)).join(', ') || 'none'})`);
    out[key] = fieldValue(key, object[key], `${path}.${key}`);
  }
  for (const [key, required] of Object.entries(fields)) if (required && !(key in out)) throw new FaultSpecError(`${path}.${key}`, `is required for '${fault}'`);
  if (fault === 'sdk' && out.device === undefined) throw new FaultSpecError(`${path}.device`, "is required for 'sdk' (it acts on one device's connection)");
  return { ...out } as unknown as FaultSpec;
}

function deviceOf(value: unknown, path: string): string {
  if (typeof value !== 'string' || value === '' || value.length > 128) throw new FaultSpecError(path, 'must be a device id (1-128 characters)');
  return value;
}

function fieldValue(key: string, value: unknown, path: string): unknown {
  switch (key) {
    case 'fraction':
      if (typeof value !== 'number' || !(value >= 0 && value <= 1)) throw new FaultSpecError(path, `must be a number from 0 to 1, got ${JSON.stringify(value)}`);
      return value;
    case 'type':
      if (typeof value !== 'string' || !(SDK_FAULT_TYPES as readonly string[]).includes(value)) throw new FaultSpecError(path, `must be one of ${SDK_FAULT_TYPES.join(', ')}, got ${JSON.stringify(value)}`);
      return value;
    case 'closeReason':
      if (typeof value !== 'string' || value.length > 256) throw new FaultSpecError(path, 'must be a string of at most 256 characters');
      return value;
    default:
      return milliseconds(value, path);
  }
}

function milliseconds(value: unknown, path: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > MAX_MS) {
    throw new FaultSpecError(path, `must be a whole number of milliseconds from 0 to ${MAX_MS}, got ${JSON.stringify(value)}`);
  }
  return value;
}
