import { randomUUID } from 'node:crypto';

import { deviceMessageLockLost, messageTooLarge, queueDepthExceeded } from '../errors/catalogue.js';
import type { C2dOutcome, HubEventBus, TrafficRecorder } from '../events.js';
import type { C2dAck, StoredC2dMessage } from '../model/hub-state.js';
import type { Clock } from '../util/clock.js';
import { RingBuffer } from '../util/ring-buffer.js';
import { C2dLocks } from './c2d-locks.js';
import { C2D_LIMITS, C2D_LOCK_MS, checkAck, expiryOf, isC2dExpired, wantsFeedback } from './c2d-rules.js';
import type { HubData } from './hub-data.js';
import { getOwn } from '../util/own-keys.js';
import type { RequestContext } from '../model/request-context.js';
import type { DevicePort } from './device-port.js';
import type { RegistryService } from './registry-service.js';
import { timeOf } from './request-contexts.js';

/** A C2D message as a sender gives it (AMQP, REST front door, the studio). */
export interface C2dMessageInput {
  readonly body: Buffer | string;
  readonly messageId?: string;
  readonly correlationId?: string;
  readonly userId?: string;
  readonly contentType?: string;
  readonly contentEncoding?: string;
  /** Absolute expiry; default now + 1 h, clamped to now + 2 days. */
  readonly expiryTime?: Date;
  /** `iothub-ack`: which outcomes produce feedback. Default `none`. */
  readonly ack?: C2dAck;
  /** Application properties. */
  readonly properties?: Readonly<Record<string, string | null>>;
}

/** One feedback record (iothub-protocol.md §6.3), sent to `/messages/serviceBound/feedback` receivers. */
export interface C2dFeedbackRecord {
  readonly originalMessageId: string;
  readonly enqueuedTimeUtc: string;
  readonly statusCode: C2dOutcome;
  readonly description: string;
  readonly deviceId: string;
  readonly deviceGenerationId: string;
}

/** A message handed to an HTTPS receiver, invisible to other receivers until settled or until `lockedUntil`. */
export interface LockedC2dMessage {
  /** The message with its delivery count after this delivery. */
  readonly message: StoredC2dMessage;
  readonly lockToken: string;
  /** ISO time the lock ends. */
  readonly lockedUntil: string;
}

const FEEDBACK_DESCRIPTIONS: Readonly<Record<C2dOutcome, string>> = {
  Success: 'Success',
  Expired: 'Message expired',
  DeliveryCountExceeded: 'Message delivery count exceeded',
  Rejected: 'Message rejected',
  Purged: 'Message purged',
};

/**
 * Per-device cloud-to-device queues (house-style H5), persisted in the hub state so pending messages survive a
 * restart. Transports deliver the head of a queue and report the device's PUBACK with `complete`; the rules are
 * those of iothub-protocol.md §6.2: ≤ 50 pending, ≤ 64 KB, TTL, max delivery count, feedback on request.
 */
export class C2dService {
  private readonly feedback = new RingBuffer<C2dFeedbackRecord>(1000);
  private readonly locks = new C2dLocks();
  private readonly lockTimers = new Set<ReturnType<typeof setTimeout>>();

  constructor(
    private readonly data: HubData,
    private readonly registry: RegistryService,
    private readonly clock: Clock,
    private readonly events: HubEventBus,
    private readonly devices: DevicePort,
    /** The traffic tap: every queued message is recorded here, whoever sent it (the studio has no wire of its own). */
    private readonly traffic?: TrafficRecorder,
  ) {}

  /** Queues a message; DeviceNotFound, 413 MessageTooLarge or 403 DeviceMaximumQueueDepthExceeded otherwise. */
  send(deviceId: string, input: C2dMessageInput, ctx?: RequestContext): Promise<StoredC2dMessage> {
    return this.data.retrying(async () => {
      this.registry.get(deviceId);
      const body = typeof input.body === 'string' ? Buffer.from(input.body, 'utf8') : input.body;
      if (body.length > C2D_LIMITS.maxMessageBytes) {
        throw messageTooLarge(`The cloud-to-device message is ${body.length} bytes; the maximum is ${C2D_LIMITS.maxMessageBytes}.`);
      }
      await this.expire(deviceId);
      const queue = this.queueOf(deviceId);
      if (queue.length >= C2D_LIMITS.maxQueueDepth) throw queueDepthExceeded(deviceId, C2D_LIMITS.maxQueueDepth);
      const now = new Date(timeOf(ctx, this.clock));
      const message: StoredC2dMessage = {
        messageId: input.messageId ?? randomUUID(),
        body: body.toString('base64'),
        system: systemProperties(deviceId, input),
        application: { ...input.properties },
        ack: checkAck(input.ack),
        enqueuedTime: now.toISOString(),
        expiryTime: expiryOf(input.expiryTime, now).toISOString(),
        deliveryCount: 0,
      };
      await this.data.write([{ kind: 'c2dEnqueued', deviceId, message }], [{ kind: 'queue', deviceId, value: [...queue, message] }]);
      this.events.emit('c2dQueued', { deviceId, messageId: message.messageId });
      this.recordQueued(deviceId, message, body, ctx);
      this.devices.deliverC2d(deviceId);
      return message;
    });
  }

  /**
   * The sender → hub arrow of a queued message, recorded here because this is the one place every C2D send passes
   * (service SDK over AMQP, the studio, the front door): `backEnd` says who sent it.
   */
  private recordQueued(deviceId: string, message: StoredC2dMessage, body: Buffer, ctx: RequestContext | undefined): void {
    const byService = ctx?.principal.kind === 'service';
    const protocol = ctx?.protocol === 'amqp' || ctx?.protocol === 'http' || ctx?.protocol === 'mqtt' ? ctx.protocol : 'hub';
    this.traffic?.record({
      deviceId,
      direction: 'in',
      protocol,
      kind: 'c2d',
      backEnd: byService ? 'service' : 'studio',
      topic: `queued ${message.messageId} (iothub-ack: ${message.ack})`,
      payload: body,
    });
  }

  /** Pending (unexpired) messages of a device, oldest first (committed state). */
  pending(deviceId: string): readonly StoredC2dMessage[] {
    const now = this.clock.now();
    return (getOwn(this.data.committed.c2dQueues, deviceId) ?? []).filter((message) => !isC2dExpired(message, now));
  }

  /**
   * The next message to deliver, after dropping expired ones; undefined when nothing is visible. A message an HTTPS
   * receiver holds locked is skipped, so MQTT never hands it out while the lock lasts.
   */
  async next(deviceId: string): Promise<StoredC2dMessage | undefined> {
    await this.expire(deviceId);
    return this.firstUnlocked(deviceId);
  }

  /**
   * Counts one delivery attempt. Returns false (and dead-letters the message) when it was already delivered the
   * maximum number of times, so the caller must not send it again; false too when an HTTPS receiver locked the
   * message meanwhile.
   */
  markDelivered(deviceId: string, messageId: string): Promise<boolean> {
    return this.data.retrying(async () => {
      if (this.locks.isLocked(deviceId, messageId, this.clock.now().getTime())) return false;
      return this.countDelivery(deviceId, messageId);
    });
  }

  /**
   * HTTPS receive (`GET /devices/{id}/messages/devicebound`, iothub-protocol-2.md §4.4): the oldest visible message,
   * counted as delivered once more (`c2dDelivered`; the delivery-count limit is shared with MQTT) and locked for
   * `lockTimeoutMs`. Undefined when nothing is visible. The lock lives in memory only (see `c2d-locks.ts`).
   */
  async lock(deviceId: string, lockTimeoutMs: number, ctx?: RequestContext): Promise<LockedC2dMessage | undefined> {
    this.registry.get(deviceId);
    await this.expire(deviceId);
    const timeout = Math.min(Math.max(Math.round(lockTimeoutMs), C2D_LOCK_MS.min), C2D_LOCK_MS.max);
    for (;;) {
      const candidate = this.firstUnlocked(deviceId);
      if (!candidate) return undefined;
      const lockedUntil = Date.parse(timeOf(ctx, this.clock)) + timeout;
      // Lock before the first await: a concurrent receive (or MQTT's next()) must not take the same message.
      const lockToken = randomUUID();
      this.locks.take({ lockToken, deviceId, messageId: candidate.messageId, lockedUntil });
      let delivered: boolean;
      try {
        delivered = await this.countDelivery(deviceId, candidate.messageId);
      } catch (error) {
        this.locks.release(lockToken);
        throw error;
      }
      const message = this.queueOf(deviceId).find((queued) => queued.messageId === candidate.messageId);
      if (delivered && message) {
        this.wakeAt(deviceId, lockedUntil);
        return { message, lockToken, lockedUntil: new Date(lockedUntil).toISOString() };
      }
      this.locks.release(lockToken);
    }
  }

  /** HTTPS complete (`DELETE …/devicebound/{lockToken}`): the message leaves with `Success`; 412 DeviceMessageLockLost for a lock that is not live. */
  async completeLocked(deviceId: string, lockToken: string): Promise<void> {
    await this.settleLocked(deviceId, lockToken, 'Success');
  }

  /** HTTPS reject (`DELETE …/devicebound/{lockToken}?reject`): the message leaves with `Rejected` (dead-lettered). */
  async rejectLocked(deviceId: string, lockToken: string): Promise<void> {
    await this.settleLocked(deviceId, lockToken, 'Rejected');
  }

  /**
   * HTTPS abandon (`POST …/devicebound/{lockToken}/abandon`): the lock ends and the message is visible again, to
   * the next receive or to MQTT; its delivery count already counts the abandoned delivery.
   */
  async abandonLocked(deviceId: string, lockToken: string): Promise<void> {
    this.liveLock(deviceId, lockToken);
    this.locks.release(lockToken);
    this.devices.deliverC2d(deviceId);
  }

  private async settleLocked(deviceId: string, lockToken: string, outcome: 'Success' | 'Rejected'): Promise<void> {
    const lock = this.liveLock(deviceId, lockToken);
    const message = this.queueOf(deviceId).find((queued) => queued.messageId === lock.messageId);
    // Released before the write: a second settle with the same token is refused, not applied twice.
    this.locks.release(lockToken);
    if (!message) throw deviceMessageLockLost(lockToken);
    await this.settle(deviceId, [message], outcome);
  }

  private liveLock(deviceId: string, lockToken: string): { readonly messageId: string } {
    const lock = this.locks.find(deviceId, lockToken, this.clock.now().getTime());
    if (!lock) throw deviceMessageLockLost(lockToken);
    return lock;
  }

  /** When a lock lapses unsettled, the message is visible again: tell MQTT so a connected device gets it. */
  private wakeAt(deviceId: string, lockedUntil: number): void {
    const timer = setTimeout(() => {
      this.lockTimers.delete(timer);
      this.devices.deliverC2d(deviceId);
    }, Math.max(0, lockedUntil - this.clock.now().getTime()) + 10);
    timer.unref();
    this.lockTimers.add(timer);
  }

  private firstUnlocked(deviceId: string): StoredC2dMessage | undefined {
    const now = this.clock.now().getTime();
    return this.queueOf(deviceId).find((message) => !this.locks.isLocked(deviceId, message.messageId, now));
  }

  private async countDelivery(deviceId: string, messageId: string): Promise<boolean> {
    const queue = this.queueOf(deviceId);
    const index = queue.findIndex((message) => message.messageId === messageId);
    const message = queue[index];
    if (!message) return false;
    if (message.deliveryCount >= C2D_LIMITS.maxDeliveryCount) {
      await this.settle(deviceId, [message], 'DeliveryCountExceeded');
      return false;
    }
    const updated = [...queue];
    const deliveryCount = message.deliveryCount + 1;
    updated[index] = { ...message, deliveryCount };
    await this.data.write([{ kind: 'c2dDelivered', deviceId, messageId, deliveryCount }], [{ kind: 'queue', deviceId, value: updated }]);
    return true;
  }

  /** The device acknowledged (MQTT PUBACK): the message leaves the queue. False when it was not queued. */
  complete(deviceId: string, messageId: string): Promise<boolean> {
    return this.data.retrying(async () => {
      const message = this.queueOf(deviceId).find((candidate) => candidate.messageId === messageId);
      if (!message) return false;
      await this.settle(deviceId, [message], 'Success');
      return true;
    });
  }

  /** `DELETE /devices/{id}/commands`: empties the queue, returns how many messages were dropped. */
  purge(deviceId: string): Promise<number> {
    return this.data.retrying(async () => {
      this.registry.get(deviceId);
      await this.expire(deviceId);
      const queue = this.queueOf(deviceId);
      await this.settle(deviceId, queue, 'Purged');
      return queue.length;
    });
  }

  /** Takes the feedback records waiting for a feedback receiver (oldest first). */
  takeFeedback(): C2dFeedbackRecord[] {
    const records = this.feedback.toArray();
    this.feedback.clear();
    return records;
  }

  /** True when feedback records are waiting. */
  get hasFeedback(): boolean {
    return this.feedback.size > 0;
  }

  close(): void {
    for (const timer of this.lockTimers) clearTimeout(timer);
    this.lockTimers.clear();
    this.locks.clear();
  }

  private async expire(deviceId: string): Promise<void> {
    const now = this.clock.now();
    const expired = this.queueOf(deviceId).filter((message) => isC2dExpired(message, now));
    if (expired.length > 0) await this.settle(deviceId, expired, 'Expired');
  }

  /** Removes messages with an outcome: one durable write, then feedback and events. */
  private async settle(deviceId: string, messages: readonly StoredC2dMessage[], outcome: C2dOutcome): Promise<void> {
    if (messages.length === 0) return;
    const messageIds = messages.map((message) => message.messageId);
    const gone = new Set(messageIds);
    const rest = this.queueOf(deviceId).filter((message) => !gone.has(message.messageId));
    this.locks.releaseMessages(deviceId, messageIds);
    await this.data.write([{ kind: 'c2dRemoved', deviceId, messageIds, outcome }], [{ kind: 'queue', deviceId, value: rest }]);
    const generationId = this.registry.find(deviceId)?.generationId ?? '';
    for (const message of messages) {
      if (wantsFeedback(message.ack, outcome)) {
        this.feedback.push({
          originalMessageId: message.messageId,
          enqueuedTimeUtc: message.enqueuedTime,
          statusCode: outcome,
          description: FEEDBACK_DESCRIPTIONS[outcome],
          deviceId,
          deviceGenerationId: generationId,
        });
      }
      this.events.emit('c2dSettled', { deviceId, messageId: message.messageId, outcome });
    }
  }

  /** The queue as the next write sees it. */
  private queueOf(deviceId: string): readonly StoredC2dMessage[] {
    return this.data.latestQueue(deviceId);
  }
}

function systemProperties(deviceId: string, input: C2dMessageInput): Record<string, string> {
  const system: Record<string, string> = { to: `/devices/${encodeURIComponent(deviceId)}/messages/devicebound` };
  if (input.correlationId !== undefined) system.cid = input.correlationId;
  if (input.userId !== undefined) system.uid = input.userId;
  if (input.contentType !== undefined) system.ct = input.contentType;
  if (input.contentEncoding !== undefined) system.ce = input.contentEncoding;
  return system;
}
