import { randomUUID } from 'node:crypto';

import { argumentInvalid, messageTooLarge, queueDepthExceeded } from '../errors/catalogue.js';
import type { C2dOutcome, HubEventBus } from '../events.js';
import type { C2dAck, StoredC2dMessage } from '../model/hub-state.js';
import type { Clock } from '../util/clock.js';
import { RingBuffer } from '../util/ring-buffer.js';
import { C2D_LIMITS, isC2dExpired } from './c2d-rules.js';
import type { HubData } from './hub-data.js';
import { own } from './hub-data.js';
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

  constructor(
    private readonly data: HubData,
    private readonly registry: RegistryService,
    private readonly clock: Clock,
    private readonly events: HubEventBus,
    private readonly devices: DevicePort,
  ) {}

  /** Queues a message; DeviceNotFound, 413 MessageTooLarge or 403 DeviceMaximumQueueDepthExceeded otherwise. */
  async send(deviceId: string, input: C2dMessageInput, ctx?: RequestContext): Promise<StoredC2dMessage> {
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
    this.devices.deliverC2d(deviceId);
    return message;
  }

  /** Pending (unexpired) messages of a device, oldest first (committed state). */
  pending(deviceId: string): readonly StoredC2dMessage[] {
    const now = this.clock.now();
    return (own(this.data.committed.c2dQueues, deviceId) ?? []).filter((message) => !isC2dExpired(message, now));
  }

  /** The next message to deliver, after dropping expired ones; undefined when the queue is empty. */
  async next(deviceId: string): Promise<StoredC2dMessage | undefined> {
    await this.expire(deviceId);
    return this.queueOf(deviceId)[0];
  }

  /**
   * Counts one delivery attempt. Returns false (and dead-letters the message) when it was already delivered the
   * maximum number of times, so the caller must not send it again.
   */
  async markDelivered(deviceId: string, messageId: string): Promise<boolean> {
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
  async complete(deviceId: string, messageId: string): Promise<boolean> {
    const message = this.queueOf(deviceId).find((candidate) => candidate.messageId === messageId);
    if (!message) return false;
    await this.settle(deviceId, [message], 'Success');
    return true;
  }

  /** `DELETE /devices/{id}/commands`: empties the queue, returns how many messages were dropped. */
  async purge(deviceId: string): Promise<number> {
    this.registry.get(deviceId);
    await this.expire(deviceId);
    const queue = this.queueOf(deviceId);
    await this.settle(deviceId, queue, 'Purged');
    return queue.length;
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

  close(): void {}

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

function expiryOf(wanted: Date | undefined, now: Date): Date {
  const latest = now.getTime() + C2D_LIMITS.maxTtlMs;
  if (wanted === undefined || Number.isNaN(wanted.getTime())) return new Date(now.getTime() + C2D_LIMITS.defaultTtlMs);
  return new Date(Math.min(wanted.getTime(), latest));
}

function checkAck(ack: string | undefined): C2dAck {
  if (ack === undefined) return 'none';
  const lower = ack.toLowerCase();
  if (lower === 'none' || lower === 'positive' || lower === 'negative' || lower === 'full') return lower;
  throw argumentInvalid(`iothub-ack must be none, positive, negative or full, not '${ack}'.`);
}

function wantsFeedback(ack: C2dAck, outcome: C2dOutcome): boolean {
  if (ack === 'full') return true;
  if (ack === 'positive') return outcome === 'Success';
  if (ack === 'negative') return outcome !== 'Success';
  return false;
}
