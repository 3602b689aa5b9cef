/** One day in milliseconds: the daily quota's window, which starts at 00:00 UTC. */
export const DAY_MS = 86_400_000;

/**
 * The daily message quota (iothub-protocol-2.md §10.1): messages counted in meter-size chunks; when the day's
 * quota is used up, metered operations are refused until the window turns (00:00 UTC). The window can be scaled
 * (config `tier.quotaWindowScale`, for tests): the quota scales with it, so the allowed rate stays IoT Hub's.
 */
export class DailyQuota {
  readonly limit: number;
  readonly windowMs: number;
  private windowStart = Number.NEGATIVE_INFINITY;
  private usedInWindow = 0;
  /** Operations refused because the quota was used up, since the hub started. */
  refused = 0;

  constructor(messagesPerDay: number, scale = 1) {
    if (!(scale > 0 && scale <= 1)) throw new Error(`the quota window scale must be in (0, 1], not ${scale}`);
    this.windowMs = DAY_MS * scale;
    this.limit = Math.max(1, Math.round(messagesPerDay * scale));
  }

  /** Messages counted in the window `nowMs` falls in. */
  used(nowMs: number): number {
    this.roll(nowMs);
    return this.usedInWindow;
  }

  /** When the window `nowMs` falls in ends (ms since the epoch). */
  resetsAt(nowMs: number): number {
    this.roll(nowMs);
    return this.windowStart + this.windowMs;
  }

  /** Counts `messages` when the quota is not used up yet (the last message may go over); false = refused. */
  charge(messages: number, nowMs: number): boolean {
    this.roll(nowMs);
    if (this.usedInWindow >= this.limit) {
      this.refused += 1;
      return false;
    }
    this.usedInWindow += messages;
    return true;
  }

  private roll(nowMs: number): void {
    const start = Math.floor(nowMs / this.windowMs) * this.windowMs;
    if (start !== this.windowStart) {
      this.windowStart = start;
      this.usedInWindow = 0;
    }
  }
}
