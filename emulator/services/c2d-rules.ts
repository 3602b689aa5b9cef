import { argumentInvalid } from '../errors/catalogue.js';
import type { C2dOutcome } from '../events.js';
import type { C2dAck, StoredC2dMessage } from '../model/hub-state.js';

/** C2D queue limits of IoT Hub (iothub-protocol.md §6.2, §10). */
export const C2D_LIMITS = {
  /** Pending messages per device; the next send fails with 403004 DeviceMaximumQueueDepthExceeded. */
  maxQueueDepth: 50,
  /** Largest message body. */
  maxMessageBytes: 64 * 1024,
  /** TTL when the sender sets no absolute expiry. */
  defaultTtlMs: 60 * 60 * 1000,
  /** Longest TTL the hub keeps a message; later expiries are clamped. */
  maxTtlMs: 2 * 24 * 60 * 60 * 1000,
  /** Deliveries without completion before the message is dead-lettered (hub default 10). */
  maxDeliveryCount: 10,
} as const;

/** True when the message's expiry time has passed at `now`. */
export function isC2dExpired(message: StoredC2dMessage, now: Date): boolean {
  return Date.parse(message.expiryTime) <= now.getTime();
}

/** Messages a device still has to receive (`cloudToDeviceMessageCount` in the twin and device JSON). */
export function countPendingC2d(queue: readonly StoredC2dMessage[] | undefined, now: Date): number {
  if (!queue) return 0;
  let count = 0;
  for (const message of queue) if (!isC2dExpired(message, now)) count += 1;
  return count;
}

/** HTTPS receive lock: IoT Hub's default is 1 minute, configurable 5–300 s (iothub-protocol-2.md §4.4, §4.5). */
export const C2D_LOCK_MS = { default: 60_000, min: 1_000, max: 300_000 } as const;

/** The absolute expiry of a new message: the sender's, clamped to now + 2 days; now + 1 h when none. */
export function expiryOf(wanted: Date | undefined, now: Date): Date {
  const latest = now.getTime() + C2D_LIMITS.maxTtlMs;
  if (wanted === undefined || Number.isNaN(wanted.getTime())) return new Date(now.getTime() + C2D_LIMITS.defaultTtlMs);
  return new Date(Math.min(wanted.getTime(), latest));
}

/** `iothub-ack` checked and lower-cased; `none` when absent. */
export function checkAck(ack: string | undefined): C2dAck {
  if (ack === undefined) return 'none';
  const lower = ack.toLowerCase();
  if (lower === 'none' || lower === 'positive' || lower === 'negative' || lower === 'full') return lower;
  throw argumentInvalid(`iothub-ack must be none, positive, negative or full, not '${ack}'.`);
}

/** True when a message with this `iothub-ack` produces feedback for this outcome (iothub-protocol.md §6.3). */
export function wantsFeedback(ack: C2dAck, outcome: C2dOutcome): boolean {
  if (ack === 'full') return true;
  if (ack === 'positive') return outcome === 'Success';
  if (ack === 'negative') return outcome !== 'Success';
  return false;
}
