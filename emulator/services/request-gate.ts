import type { RequestContext } from '../model/request-context.js';
import { operationFamilyOf, type OperationFamily } from './operation-families.js';

/** What a check sees of one request: its context, its throttle family, the device it concerns and its size. */
export interface GateRequest {
  readonly ctx: RequestContext;
  readonly family: OperationFamily;
  /** The device the request is about: the device principal, or the device id in a REST path. */
  readonly deviceId: string | undefined;
  /** The module, when the request is a module's or about one. */
  readonly moduleId: string | undefined;
  /** Payload bytes (IoT Hub meters D2C, C2D, twin and method traffic in 4 KB chunks); 0 when there is none. */
  readonly bytes: number;
}

/** What the edge knows beyond the context: the device a REST path names, the payload size, a finer family. */
export interface GateDetails {
  readonly deviceId?: string | undefined;
  readonly moduleId?: string | undefined;
  readonly bytes?: number | undefined;
  /** When the operation name alone does not tell (an AMQP twin request is a read or an update). */
  readonly family?: OperationFamily | undefined;
}

/**
 * One check of the gate: refuses a request by throwing an `IotHubError` (from `errors/catalogue.ts`), or delays it
 * by returning a promise (that may reject). Tier throttles and quotas are checks, and so are injected faults.
 */
export interface GateCheck {
  readonly name: string;
  check(request: GateRequest): void | Promise<void>;
}

const PASSED: Promise<void> = Promise.resolve();

/**
 * The one request gate (ARCHITECTURE.md, "Throttle or inject faults"): every operation a device or a back end makes
 * passes `admit(ctx)` where the edge enters a service, before any work is done. The gate runs its checks in order;
 * the first that throws refuses the request with that error. With no checks (tier emulation and faults off, the
 * default) `admit` returns an already settled promise and looks at nothing.
 */
export class RequestGate {
  private checks: readonly GateCheck[] = [];

  /** True when at least one check is registered (edges may skip measuring a payload otherwise). */
  get active(): boolean {
    return this.checks.length > 0;
  }

  /** The names of the registered checks, in the order they run. */
  get checkNames(): readonly string[] {
    return this.checks.map((check) => check.name);
  }

  /**
   * Registers a check, last by default or `first` (e.g. a fault that must act before a throttle counts the
   * request). Returns the function that removes it again.
   */
  add(check: GateCheck, position: 'first' | 'last' = 'last'): () => void {
    this.checks = position === 'first' ? [check, ...this.checks] : [...this.checks, check];
    return () => {
      this.checks = this.checks.filter((registered) => registered !== check);
    };
  }

  /** Resolves when every check admits the request; rejects with the first check's `IotHubError` otherwise. */
  admit(ctx: RequestContext, details?: GateDetails): Promise<void> {
    const checks = this.checks;
    if (checks.length === 0) return PASSED;
    const principal = ctx.principal;
    const request: GateRequest = {
      ctx,
      family: details?.family ?? operationFamilyOf(ctx.operation),
      deviceId: details?.deviceId ?? (principal.kind === 'device' ? principal.deviceId : undefined),
      moduleId: details?.moduleId ?? (principal.kind === 'device' ? principal.moduleId : undefined),
      bytes: details?.bytes ?? 0,
    };
    return runFrom(checks, 0, request);
  }
}

/** Runs the checks from `index` on: synchronously while they are synchronous, then after each promise settles. */
function runFrom(checks: readonly GateCheck[], index: number, request: GateRequest): Promise<void> {
  for (let at = index; at < checks.length; at += 1) {
    let pending: void | Promise<void>;
    try {
      pending = checks[at]!.check(request);
    } catch (error) {
      return Promise.reject(error);
    }
    if (pending !== undefined) return pending.then(() => runFrom(checks, at + 1, request));
  }
  return PASSED;
}
