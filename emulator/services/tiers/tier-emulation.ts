import { operationNotAvailableInCurrentTier, quotaExceeded, throttleBacklogLimitExceeded, throttled } from '../../errors/catalogue.js';
import { twinKey } from '../../model/twin-address.js';
import type { TierUsage } from '../../model/tier-usage.js';
import type { Clock } from '../../util/clock.js';
import { OPERATION_FAMILIES, type OperationFamily } from '../operation-families.js';
import type { GateCheck, GateRequest } from '../request-gate.js';
import { isBasicTier, standardOnlyFeature } from './basic-tier.js';
import { DailyQuota } from './daily-quota.js';
import { METERED_FAMILIES, tierLimits, type FamilyLimit, type HubTier, type TierLimits } from './tier-table.js';
import { TokenBucket } from './token-bucket.js';

/** Config `tier`: which IoT Hub tier and how many units to emulate; absent = no tier emulation (the default). */
export interface TierConfig {
  readonly name: HubTier;
  /** Units of the tier (default 1; F1 has 1, S3/B3 up to 10, the others up to 200). */
  readonly units?: number;
  /**
   * Scales the daily quota's window and the quota together (default 1 = a day, resetting at 00:00 UTC), so a test
   * can use up a day's quota in seconds at IoT Hub's rate: 1e-4 makes an S1 day 8.64 s with 40 messages.
   */
  readonly quotaWindowScale?: number;
  /**
   * Multiplies every throttle's allowance (default 1): 0.1 makes S1 twin updates 5/s and identity operations
   * 10/min, keeping the ratios between families, so a test on a slow machine can go over a rate. Not for the quota.
   */
  readonly rateScale?: number;
  /**
   * How many requests of one device (or module) may wait in the shaping queue at once (default
   * {@link MAX_QUEUED_PER_DEVICE}); the next one is refused with 429002 ThrottleBacklogLimitExceeded and the
   * device's connection is closed, as IoT Hub does (iothub-protocol-2.md §10.2).
   */
  readonly maxQueuedPerDevice?: number;
}

/**
 * How long a request may wait in the traffic-shaping queue before the hub refuses it instead (iothub-protocol.md
 * §11). IoT Hub does not document the queue's size; one second keeps shaped requests well inside every SDK's
 * timeout.
 */
export const SHAPING_QUEUE_MS = 1000;

/**
 * The default bound of one device's requests waiting in the shaping queue. IoT Hub does not document it; 64 lies above
 * what one second of an S1 unit's busiest device-side family queues (50 twin updates), so a plain burst is shaped or
 * gets 429001, and only a device that keeps many requests waiting across families, or on a bigger hub, reaches it.
 */
export const MAX_QUEUED_PER_DEVICE = 64;

const CHUNK_BYTES = 4096;

/**
 * Tier emulation as a check of the request gate: one token bucket per throttled operation family (IoT Hub's
 * throttles are per hub) and the daily message quota. A request over its family's rate waits in the shaping queue
 * or is refused with 429001 ThrottlingException (with `Retry-After`); a metered request once the day's quota is used
 * up is refused with 403002 IotHubQuotaExceeded. On a Basic tier (B1–B3) a standard-only operation (basic-tier.ts)
 * is refused first with 403010 OperationNotAvailableInCurrentTier. Requests of the studio and of the hub itself are
 * not counted.
 */
export class TierEmulation implements GateCheck {
  readonly name = 'tier';
  readonly limits: TierLimits;
  private readonly buckets = new Map<OperationFamily, TokenBucket>();
  private readonly quota: DailyQuota;
  /** B1–B3: standard-only operations are refused with 403010 (basic-tier.ts). */
  private readonly basic: boolean;
  /** Requests of each device (twin key) waiting in the shaping queue now. */
  private readonly queued = new Map<string, number>();
  private readonly maxQueuedPerDevice: number;
  /** Requests refused with 429002, since the hub started (also counted as throttled in their family's usage). */
  backlogRefused = 0;

  constructor(
    config: TierConfig,
    private readonly clock: Clock,
  ) {
    this.limits = tierLimits(config.name, config.units ?? 1);
    this.basic = isBasicTier(config.name);
    this.maxQueuedPerDevice = config.maxQueuedPerDevice ?? MAX_QUEUED_PER_DEVICE;
    if (!(Number.isInteger(this.maxQueuedPerDevice) && this.maxQueuedPerDevice >= 1)) throw new Error(`tier.maxQueuedPerDevice must be a whole number of at least 1, not ${this.maxQueuedPerDevice}`);
    this.quota = new DailyQuota(this.limits.dailyQuota.messages, config.quotaWindowScale ?? 1);
    const rateScale = config.rateScale ?? 1;
    if (!(rateScale > 0 && rateScale <= 1)) throw new Error(`tier.rateScale must be in (0, 1], not ${rateScale}`);
    const now = clock.now().getTime();
    for (const family of OPERATION_FAMILIES) {
      const limit = this.limits.families[family];
      if (limit !== undefined) this.buckets.set(family, new TokenBucket(limit.amount * rateScale, limit.windowSeconds * 1000, SHAPING_QUEUE_MS, now));
    }
  }

  check(request: GateRequest): void | Promise<void> {
    const { ctx, family } = request;
    if (ctx.protocol === 'studio' || ctx.protocol === 'internal') return undefined;
    if (this.basic) {
      const feature = standardOnlyFeature(family, ctx.operation);
      if (feature !== undefined) throw operationNotAvailableInCurrentTier(feature, this.limits.tier);
    }
    const now = this.clock.now().getTime();
    const metered = METERED_FAMILIES.has(family);
    if (metered && this.quota.used(now) >= this.quota.limit) {
      this.quota.charge(0, now);
      throw quotaExceeded(this.quota.limit, new Date(this.quota.resetsAt(now)).toISOString());
    }
    const bucket = this.buckets.get(family);
    const limit = this.limits.families[family];
    // A device's requests waiting in the shaping queue are bounded: past the bound the hub refuses with 429002 and
    // drops the connection (the transports close it, errors/catalogue.ts endsDeviceConnection).
    const device = ctx.principal.kind === 'device' ? twinKey(ctx.principal) : undefined;
    if (device !== undefined && bucket !== undefined && (this.queued.get(device) ?? 0) >= this.maxQueuedPerDevice) {
      this.backlogRefused += 1;
      bucket.refused += 1;
      throw throttleBacklogLimitExceeded(device, this.maxQueuedPerDevice);
    }
    let waitMs = 0;
    if (bucket !== undefined && limit !== undefined) {
      const answer = bucket.take(costOf(limit, request.bytes), now);
      if (answer.kind === 'refused') throw throttled(family, Math.max(1, Math.ceil(answer.retryAfterMs / 1000)));
      if (answer.kind === 'wait') waitMs = answer.waitMs;
    }
    if (metered) this.quota.charge(this.messagesOf(family, request.bytes), now);
    if (waitMs <= 0) return undefined;
    if (device !== undefined) this.queued.set(device, (this.queued.get(device) ?? 0) + 1);
    return new Promise<void>((resolve) => {
      setTimeout(() => {
        if (device !== undefined) {
          const left = (this.queued.get(device) ?? 1) - 1;
          if (left > 0) this.queued.set(device, left);
          else this.queued.delete(device);
        }
        resolve();
      }, Math.ceil(waitMs)).unref?.();
    });
  }

  /** What has been counted: each family's throttle and the daily quota. */
  usage(): TierUsage {
    const now = this.clock.now().getTime();
    const families = [...this.buckets].map(([family, bucket]) => {
      const limit = this.limits.families[family] as FamilyLimit;
      return {
        family,
        limit: Math.round(bucket.capacity * 100) / 100,
        windowSeconds: limit.windowSeconds,
        unit: limit.cost === 'chunk4k' ? '4 KB chunks' : 'operations',
        used: Math.max(0, Math.round(bucket.used(now) * 100) / 100),
        admitted: bucket.admitted + bucket.delayed,
        delayed: bucket.delayed,
        throttled: bucket.refused,
      };
    });
    return {
      tier: this.limits.tier,
      units: this.limits.units,
      families,
      dailyQuota: {
        used: this.quota.used(now),
        limit: this.quota.limit,
        meterBytes: this.limits.dailyQuota.meterBytes,
        windowSeconds: this.quota.windowMs / 1000,
        resetsAt: new Date(this.quota.resetsAt(now)).toISOString(),
        refused: this.quota.refused,
      },
    };
  }

  /** Daily-quota messages of a request: payload in meter-size chunks (at least 1); a direct method adds its response. */
  private messagesOf(family: OperationFamily, bytes: number): number {
    const chunks = Math.max(1, Math.ceil(bytes / this.limits.dailyQuota.meterBytes));
    return family === 'directMethod' ? chunks + 1 : chunks;
  }
}

/** Tokens a request takes: 1, or its started 4 KB chunks (at least 1) for a family metered by size. */
function costOf(limit: FamilyLimit, bytes: number): number {
  return limit.cost === 'chunk4k' ? Math.max(1, Math.ceil(bytes / CHUNK_BYTES)) : 1;
}
