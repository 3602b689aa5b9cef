/**
 * What tier emulation has counted (plain JSON, shown by `emulator.tierUsage()`, `npm run hub -- status` and the
 * studio's quota meter). Family and tier names are those of `services/operation-families.ts` and
 * `services/tiers/tier-table.ts`.
 */
export interface TierUsage {
  readonly tier: string;
  readonly units: number;
  /** One row per throttled operation family. */
  readonly families: readonly FamilyUsage[];
  readonly dailyQuota: DailyQuotaUsage;
}

/** One family's throttle: `used` of `limit` per `windowSeconds` (above `limit` while requests wait), and totals. */
export interface FamilyUsage {
  readonly family: string;
  readonly limit: number;
  readonly windowSeconds: number;
  /** `operations`, or `4 KB chunks` for direct methods. */
  readonly unit: string;
  readonly used: number;
  readonly admitted: number;
  /** Admitted after waiting in the traffic-shaping queue. */
  readonly delayed: number;
  /** Refused with 429 ThrottlingException. */
  readonly throttled: number;
}

/** The daily message quota: messages (meter-size chunks) used of `limit` in the window ending at `resetsAt`. */
export interface DailyQuotaUsage {
  readonly used: number;
  readonly limit: number;
  readonly meterBytes: number;
  readonly windowSeconds: number;
  readonly resetsAt: string;
  /** Operations refused with 403002 IotHubQuotaExceeded. */
  readonly refused: number;
}
