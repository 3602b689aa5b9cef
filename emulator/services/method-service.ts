import { deviceNotOnline, gatewayTimeout } from '../errors/catalogue.js';
import type { TrafficRecorder } from '../events.js';
import type { JsonValue } from '../model/json.js';
import { twinKey, type TwinAddress } from '../model/twin-address.js';
import type { DevicePort } from './device-port.js';
import type { RegistryService } from './registry-service.js';

/** A validated direct-method call (iothub-protocol.md §5.2); the transport turned the REST body into this. */
export interface MethodInvocation {
  readonly deviceId: string;
  readonly moduleId?: string;
  readonly methodName: string;
  /** Sent to the device as JSON text (may be null). */
  readonly payload: JsonValue;
  /** 5..300 s: how long to wait for the device's answer. */
  readonly responseTimeoutInSeconds: number;
  /** 0..300 s: how long to wait for an offline device to connect and subscribe. */
  readonly connectTimeoutInSeconds: number;
}

/** What the service returns: the device's own status (never mapped onto HTTP) and its JSON payload. */
export interface MethodResult {
  readonly status: number;
  readonly payload: JsonValue;
}

interface Pending {
  readonly resolve: (result: MethodResult) => void;
  readonly reject: (error: unknown) => void;
  readonly timer: NodeJS.Timeout;
}

interface ReadyWaiter {
  readonly identity: string;
  /** Re-checks readiness; `stop` ends the wait with "not ready" (hub stop). */
  readonly wake: (stop?: boolean) => void;
}

/** Default and limits of iothub-protocol.md §5.2 / §10. */
export const METHOD_LIMITS = {
  responseTimeout: { min: 5, max: 300, default: 30 },
  connectTimeout: { min: 0, max: 300, default: 0 },
  payloadBytes: 128 * 1024,
} as const;

/**
 * Direct methods (house-style H5): correlates the hub-generated `$rid` with the device's answer on
 * `$iothub/methods/res/<status>/?$rid=<rid>`, and enforces the connect and response timeouts (§5.2, checklist
 * 90-96). A reply that arrives after the timeout finds nothing pending and is discarded.
 */
export class MethodService {
  private readonly pending = new Map<string, Pending>();
  private readonly waiters = new Set<ReadyWaiter>();
  private nextRid = 1;

  constructor(
    private readonly registry: RegistryService,
    private readonly devices: DevicePort,
    /** The traffic tap, for calls that have no wire of their own (the studio's). */
    private readonly traffic?: TrafficRecorder,
  ) {}

  /** A call made by the studio: `invokeRecorded` with the studio as the back end. */
  invokeFromStudio(call: MethodInvocation): Promise<MethodResult> {
    return this.invokeRecorded(call, 'studio');
  }

  /**
   * A call made by a back end with no wire of its own (the studio, or a scheduled job running in the hub): recorded in
   * the traffic as the back end's request and the hub's answer to it, so the sequence diagram draws it from the
   * back-end lane like a REST call.
   */
  async invokeRecorded(call: MethodInvocation, backEnd: 'studio' | 'job'): Promise<MethodResult> {
    const who = { deviceId: call.deviceId, ...(call.moduleId === undefined ? {} : { moduleId: call.moduleId }), protocol: 'hub' as const, kind: 'method' as const, backEnd };
    this.traffic?.record({ ...who, direction: 'in', topic: `invoke ${call.methodName}`, payload: JSON.stringify(call.payload) });
    try {
      const result = await this.invoke(call);
      this.traffic?.record({ ...who, direction: 'out', topic: `result ${call.methodName}`, status: result.status, payload: JSON.stringify(result.payload) });
      return result;
    } catch (error) {
      const status = typeof (error as { status?: unknown }).status === 'number' ? (error as { status: number }).status : undefined;
      this.traffic?.record({ ...who, direction: 'out', topic: `result ${call.methodName}`, ...(status === undefined ? {} : { status }), payload: (error as Error).message });
      throw error;
    }
  }

  /** The device answered on `$iothub/methods/res/<status>/?$rid=<rid>`; a late or unknown `rid` is discarded. */
  complete(address: TwinAddress, rid: string, status: number, payload: Buffer): void {
    const key = `${twinKey(address)}\n${rid}`;
    const pending = this.pending.get(key);
    if (!pending) return;
    this.pending.delete(key);
    clearTimeout(pending.timer);
    pending.resolve({ status, payload: parseDevicePayload(payload) });
  }

  /**
   * Called by the gateway when an identity's connection ended and no other took over: the calls sent to it can no
   * longer be answered, so they end now with 404 DeviceNotOnline instead of waiting for their timeout (504).
   */
  connectionLost(deviceId: string, moduleId?: string): void {
    const prefix = `${twinKey({ deviceId, moduleId })}\n`;
    for (const [key, pending] of [...this.pending]) {
      if (!key.startsWith(prefix)) continue;
      this.pending.delete(key);
      clearTimeout(pending.timer);
      pending.reject(deviceNotOnline(deviceId));
    }
  }

  /** Called by the gateway when an identity subscribes to methods (or reconnects with that subscription). */
  notifyReady(deviceId: string, moduleId?: string): void {
    const identity = twinKey({ deviceId, moduleId });
    for (const waiter of [...this.waiters]) if (waiter.identity === identity) waiter.wake();
  }

  /** Invokes a method and resolves with the device's answer; rejects with DeviceNotFound/DeviceNotOnline/504. */
  async invoke(call: MethodInvocation): Promise<MethodResult> {
    if (call.moduleId === undefined) this.registry.get(call.deviceId);
    const ready = await this.waitUntilReady(call);
    if (!ready) throw deviceNotOnline(call.deviceId);
    const rid = (this.nextRid++).toString(16);
    const identity = twinKey(call);
    return new Promise<MethodResult>((resolve, reject) => {
      const key = `${identity}\n${rid}`;
      const timer = setTimeout(() => {
        this.pending.delete(key);
        reject(gatewayTimeout());
      }, call.responseTimeoutInSeconds * 1000);
      this.pending.set(key, { resolve, reject, timer });
      this.devices.invokeMethod(addressOf(call), call.methodName, JSON.stringify(call.payload), rid);
    });
  }

  /** Hub stop: pending calls never settle (their HTTP connections are closed), waits for devices end. */
  close(): void {
    for (const pending of this.pending.values()) clearTimeout(pending.timer);
    this.pending.clear();
    for (const waiter of [...this.waiters]) waiter.wake(true);
  }

  private waitUntilReady(call: MethodInvocation): Promise<boolean> {
    const check = () => this.devices.canReceiveMethods(addressOf(call));
    if (check()) return Promise.resolve(true);
    if (call.connectTimeoutInSeconds <= 0) return Promise.resolve(false);
    return new Promise<boolean>((resolve) => {
      const finish = (result: boolean) => {
        clearTimeout(timer);
        this.waiters.delete(waiter);
        resolve(result);
      };
      const waiter: ReadyWaiter = {
        identity: twinKey(call),
        wake: (stop = false) => {
          if (stop || check()) finish(!stop && check());
        },
      };
      const timer = setTimeout(() => finish(check()), call.connectTimeoutInSeconds * 1000);
      this.waiters.add(waiter);
    });
  }
}

/** Empty → null (checklist 92); JSON → its value; anything else is passed on as a string. */
export function parseDevicePayload(payload: Buffer): JsonValue {
  const text = payload.toString('utf8');
  if (text.trim() === '') return null;
  try {
    return JSON.parse(text) as JsonValue;
  } catch {
    return text;
  }
}

function addressOf(call: MethodInvocation): TwinAddress {
  return call.moduleId === undefined ? { deviceId: call.deviceId } : { deviceId: call.deviceId, moduleId: call.moduleId };
}
