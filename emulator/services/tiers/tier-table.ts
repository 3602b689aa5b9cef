import type { OperationFamily } from '../operation-families.js';

// IoT Hub's tiers as data (iothub-protocol.md §11, iothub-protocol-2.md §10.1): per-unit throttles per operation
// family and the daily message quota. One table, read by the tier check, the CLI's help and the studio's meter.

/** The IoT Hub editions: free, basic (B1–B3) and standard (S1–S3). */
export type HubTier = 'F1' | 'B1' | 'B2' | 'B3' | 'S1' | 'S2' | 'S3';

/** Every tier, in the order the CLI and the studio list them. */
export const HUB_TIERS: readonly HubTier[] = ['F1', 'S1', 'S2', 'S3', 'B1', 'B2', 'B3'];

/** How a family's throttle counts a request: one per operation, or per started 4 KB of payload (direct methods). */
export type ThrottleCost = 'operation' | 'chunk4k';

/** A throttle: `amount` per `windowSeconds` for the whole hub (IoT Hub's throttles are per hub, not per device). */
export interface FamilyLimit {
  readonly amount: number;
  readonly windowSeconds: number;
  readonly cost: ThrottleCost;
}

/** The daily message quota: messages per day, metered in chunks of `meterBytes` (4 KB; 0.5 KB on F1). */
export interface DailyQuotaLimit {
  readonly messages: number;
  readonly meterBytes: number;
}

/** What a tier with a number of units allows. A family without a limit is not throttled. */
export interface TierLimits {
  readonly tier: HubTier;
  readonly units: number;
  readonly families: Readonly<Partial<Record<OperationFamily, FamilyLimit>>>;
  readonly dailyQuota: DailyQuotaLimit;
}

/** Units a hub of the tier may have (F1: 1; S3/B3: 10; the others 200). */
export const MAX_UNITS: Readonly<Record<HubTier, number>> = { F1: 1, B1: 200, B2: 200, B3: 10, S1: 200, S2: 200, S3: 10 };

/**
 * The families a daily-quota message is counted for (iothub-protocol-2.md §10.1 "Metering"): D2C and C2D per
 * 4 KB chunk, twin reads and updates per 4 KB chunk, a direct method's request and response, file-upload
 * initiations. Identity registry operations are free; query metering is not documented and not counted.
 */
export const METERED_FAMILIES: ReadonlySet<OperationFamily> = new Set<OperationFamily>([
  'deviceToCloud',
  'cloudToDeviceSend',
  'twinRead',
  'twinUpdate',
  'directMethod',
  'fileUpload',
]);

const perSecond = (amount: number, cost: ThrottleCost = 'operation'): FamilyLimit => ({ amount, windowSeconds: 1, cost });
const perMinute = (amount: number): FamilyLimit => ({ amount, windowSeconds: 60, cost: 'operation' });

/** The standard-tier-only families (C2D, twins, methods, jobs, configurations); Basic tiers have none of them. */
const STANDARD_ONLY: ReadonlySet<OperationFamily> = new Set<OperationFamily>([
  'cloudToDeviceSend',
  'cloudToDeviceReceive',
  'twinRead',
  'twinUpdate',
  'directMethod',
  'jobs',
  'configurations',
]);

/** The size class of a tier: 1 (F1, B1, S1), 2 (B2, S2) or 3 (B3, S3). */
function sizeOf(tier: HubTier): 1 | 2 | 3 {
  if (tier === 'B3' || tier === 'S3') return 3;
  if (tier === 'B2' || tier === 'S2') return 2;
  return 1;
}

/**
 * The limits of `units` units of `tier` (iothub-protocol.md §11; per-second rates written as IoT Hub documents
 * them: 100/min/unit rather than 1.67/s/unit). Throws for a unit count the tier does not allow.
 */
export function tierLimits(tier: HubTier, units = 1): TierLimits {
  if (!HUB_TIERS.includes(tier)) throw new Error(`unknown IoT Hub tier '${String(tier)}' (known: ${HUB_TIERS.join(', ')})`);
  if (!Number.isInteger(units) || units < 1 || units > MAX_UNITS[tier]) {
    throw new Error(`a ${tier} hub has 1 to ${MAX_UNITS[tier]} units, not ${String(units)}`);
  }
  const size = sizeOf(tier);
  const u = units;
  const all: Record<OperationFamily, FamilyLimit | undefined> = {
    identityRegistry: perMinute(size === 3 ? 5000 * u : 100 * u),
    deviceConnection: perSecond(size === 1 ? Math.max(100, 12 * u) : size === 2 ? 120 * u : 6000 * u),
    deviceToCloud: perSecond(size === 1 ? Math.max(100, 12 * u) : size === 2 ? 120 * u : 6000 * u),
    fileUpload: perMinute(size === 3 ? 5000 * u : 100 * u),
    query: perMinute(size === 3 ? 1000 * u : 20 * u),
    cloudToDeviceSend: perMinute(size === 3 ? 5000 * u : 100 * u),
    cloudToDeviceReceive: perMinute(size === 3 ? 50000 * u : 1000 * u),
    // 160 KB/s, 480 KB/s, 24 MB/s per unit, counted in 4 KB chunks of the request.
    directMethod: perSecond(size === 1 ? 40 * u : size === 2 ? 120 * u : 6144 * u, 'chunk4k'),
    twinRead: perSecond(size === 1 ? 100 : size === 2 ? Math.max(100, 10 * u) : 500 * u),
    twinUpdate: perSecond(size === 1 ? 50 : size === 2 ? Math.max(50, 5 * u) : 250 * u),
    jobs: perMinute(size === 3 ? 5000 * u : 100 * u),
    configurations: perMinute(20 * u),
    other: undefined,
  };
  const basic = tier.startsWith('B');
  const families: Partial<Record<OperationFamily, FamilyLimit>> = {};
  for (const [family, limit] of Object.entries(all) as [OperationFamily, FamilyLimit | undefined][]) {
    if (limit !== undefined && !(basic && STANDARD_ONLY.has(family))) families[family] = limit;
  }
  const dailyQuota: DailyQuotaLimit =
    tier === 'F1'
      ? { messages: 8000, meterBytes: 512 }
      : { messages: (size === 1 ? 400_000 : size === 2 ? 6_000_000 : 300_000_000) * u, meterBytes: 4096 };
  return { tier, units, families, dailyQuota };
}

/** True for a tier name the table knows (for parsing CLI and settings input). */
export function isHubTier(value: unknown): value is HubTier {
  return typeof value === 'string' && (HUB_TIERS as readonly string[]).includes(value);
}
