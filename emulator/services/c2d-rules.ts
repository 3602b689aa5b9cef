import type { StoredC2dMessage } from '../model/hub-state.js';

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
