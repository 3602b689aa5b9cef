import rhea, { type Delivery, type Message } from 'rhea';

import type { Logger } from '../../../logger.js';
import type { C2dService, LockedC2dMessage } from '../../../services/c2d-service.js';
import { C2D_LOCK_MS } from '../../../services/c2d-rules.js';
import type { TrafficTap } from '../../tap.js';
import { amqpWebSocketFlag } from '../connection-transport.js';
import type { IdentityLinks } from './identity-links.js';
import { wireId } from './message-ids.js';

/** The C2D calls AMQP delivery makes (the locked receive HTTPS uses too: one queue, one lock rule). */
export type C2dLockingQueue = Pick<C2dService, 'lock' | 'completeLocked' | 'rejectLocked' | 'abandonLocked'>;

/** Messages handed to one device receiver and not settled yet (IoT Hub prefetches; the SDKs settle each one). */
export const C2D_IN_FLIGHT_PER_LINK = 10;

/** How a device settled a C2D delivery (iothub-protocol-2.md §3.5): complete, reject (dead-letter), abandon. */
export type C2dSettlement = 'accepted' | 'rejected' | 'released';

/**
 * C2D over AMQP (iothub-protocol-2.md §3.5): messages are taken from the device's one queue with a lock, as an
 * HTTPS receive takes them (so the delivery count and its limit are shared with MQTT and HTTPS), sent on the
 * device's `…/messages/devicebound` receiver with the lock token as delivery tag and `x-opt-lock-token`, and settled
 * by the device: accepted → complete, rejected → dead-letter, released/modified → abandon (visible again, redelivered
 * with the delivery count one higher). An unsettled message on a link that goes away is abandoned at once.
 */
export class AmqpC2dDelivery {
  private readonly pumping = new WeakSet<IdentityLinks>();

  constructor(
    private readonly queue: C2dLockingQueue,
    private readonly tap: TrafficTap,
    private readonly logger: Logger,
  ) {}

  /** Sends what the link has credit and room for; one pump per identity at a time. */
  pump(identity: IdentityLinks): void {
    if (this.pumping.has(identity)) return;
    this.pumping.add(identity);
    void this.fill(identity)
      .catch((error: unknown) => this.logger.warn(`AMQP C2D delivery to ${identity.address.deviceId} failed: ${String(error)}`))
      .finally(() => this.pumping.delete(identity));
  }

  /** The device settled a delivery on its C2D link. */
  settle(identity: IdentityLinks, delivery: Delivery, outcome: C2dSettlement): void {
    const sent = identity.unsettledC2d.get(delivery);
    if (!sent) return;
    identity.unsettledC2d.delete(delivery);
    const deviceId = identity.address.deviceId;
    const step = outcome === 'accepted' ? this.queue.completeLocked(deviceId, sent.lockToken) : outcome === 'rejected' ? this.queue.rejectLocked(deviceId, sent.lockToken) : this.queue.abandonLocked(deviceId, sent.lockToken);
    this.tap.record({ deviceId, direction: 'in', protocol: 'amqp', ...amqpWebSocketFlag(identity.connection), kind: 'c2d', topic: `${outcome} ${sent.messageId}`, rid: sent.lockToken, payload: '' });
    void step
      .catch((error: unknown) => this.logger.debug(`C2D ${outcome} of ${sent.messageId}: ${String(error)}`))
      .finally(() => this.pump(identity));
  }

  /** The C2D link (or its connection) went away: unsettled messages are visible again right away. */
  abandonAll(identity: IdentityLinks): void {
    const unsettled = [...identity.unsettledC2d.values()];
    identity.unsettledC2d.clear();
    for (const sent of unsettled) {
      void this.queue.abandonLocked(identity.address.deviceId, sent.lockToken).catch(() => undefined);
    }
  }

  private async fill(identity: IdentityLinks): Promise<void> {
    const deviceId = identity.address.deviceId;
    for (;;) {
      const sender = identity.c2d;
      if (!sender?.is_open() || !sender.sendable() || identity.unsettledC2d.size >= C2D_IN_FLIGHT_PER_LINK) return;
      const locked = await this.queue.lock(deviceId, C2D_LOCK_MS.default);
      if (!locked) return;
      if (identity.c2d !== sender || !sender.is_open()) {
        await this.queue.abandonLocked(deviceId, locked.lockToken);
        return;
      }
      const message = c2dAmqpMessage(locked, deviceId);
      const delivery = sender.send(message, Buffer.from(locked.lockToken, 'utf8'));
      identity.unsettledC2d.set(delivery, { lockToken: locked.lockToken, messageId: locked.message.messageId });
      this.tap.record({ deviceId, direction: 'out', protocol: 'amqp', ...amqpWebSocketFlag(identity.connection), kind: 'c2d', topic: String(message.to), rid: locked.lockToken, payload: Buffer.from(locked.message.body, 'base64') });
    }
  }
}

/**
 * A queued C2D message as IoT Hub sends it over AMQP (§3.5): data-section body, the system properties, `iothub-ack`
 * and the application properties, and the annotations the C# SDK reads (lock token, sequence number, enqueued time,
 * delivery count). There is no `x-opt-sequence-number`: this hub's C2D queue does not number messages.
 */
export function c2dAmqpMessage(locked: LockedC2dMessage, deviceId: string): Message {
  const { message } = locked;
  const system = message.system;
  const application: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  for (const [key, value] of Object.entries(message.application)) application[key] = value;
  application['iothub-ack'] = message.ack;
  const amqp: Message = {
    message_id: wireId(message.messageId),
    to: system.to ?? `/devices/${encodeURIComponent(deviceId)}/messages/devicebound`,
    absolute_expiry_time: new Date(message.expiryTime),
    application_properties: application,
    message_annotations: {
      'x-opt-lock-token': locked.lockToken,
      'iothub-enqueuedtime': new Date(message.enqueuedTime),
      'iothub-deliverycount': message.deliveryCount,
    },
    body: rhea.message.data_section(Buffer.from(message.body, 'base64')),
  };
  if (system.cid !== undefined) amqp.correlation_id = wireId(system.cid);
  // `user-id` is binary in AMQP (rhea encodes a Buffer as such).
  if (system.uid !== undefined) amqp.user_id = Buffer.from(system.uid, 'utf8') as never;
  if (system.ct !== undefined) amqp.content_type = system.ct;
  if (system.ce !== undefined) amqp.content_encoding = system.ce;
  return amqp;
}
