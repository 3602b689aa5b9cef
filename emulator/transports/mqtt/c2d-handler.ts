import type { PublishPacket } from 'aedes';

import type { StoredC2dMessage } from '../../model/hub-state.js';
import type { RequestContext } from '../../model/request-context.js';
import type { C2dService } from '../../services/c2d-service.js';
import type { Clock } from '../../util/clock.js';
import type { DeviceConnection } from './device-connection.js';
import { identityOf, mqttContext } from './mqtt-context.js';
import { decodePropertyBag, encodePropertyBag } from './property-bag.js';
import type { ReplyContext } from './reply.js';
import { webSocketFlag } from './transport-of.js';

/** Topic filter a device subscribes to for C2D messages (`devices/<id>/messages/devicebound/#`). */
export function c2dFilter(deviceId: string): string {
  return `devices/${deviceId}/messages/devicebound/#`;
}

/** `devices/<id>/messages/devicebound/%24.mid=…&%24.to=…&<app>=…&iothub-ack=…` (iothub-protocol.md §6.2). */
export function c2dTopic(deviceId: string, message: StoredC2dMessage): string {
  const system = { mid: message.messageId, ...message.system };
  const bag = encodePropertyBag(system, { ...message.application, 'iothub-ack': message.ack });
  return `devices/${deviceId}/messages/devicebound/${bag}`;
}

/** The `$.mid` of a C2D topic the hub published, if it is one. */
export function messageIdOfC2dTopic(topic: string): string | undefined {
  const marker = '/messages/devicebound/';
  const at = topic.indexOf(marker);
  if (at < 0) return undefined;
  return decodePropertyBag(topic.slice(at + marker.length)).system.mid;
}

/** The C2D calls delivery makes. */
export type C2dQueue = Pick<C2dService, 'next' | 'markDelivered' | 'complete'>;

interface InFlight {
  readonly connection: DeviceConnection;
  readonly messageId: string;
}

/**
 * Delivers each device's C2D queue over MQTT, one message at a time (iothub-protocol.md §6.2, checklist 98-100):
 * publish at QoS 1, and remove the message from the queue only when the device PUBACKs it (aedes' documented
 * `ack` event). A message handed to a clean=false session that dropped is left to aedes, which re-sends its
 * unacknowledged QoS-1 packets when that session resumes; after a clean session or a hub restart the queue itself
 * is delivered again. One message in flight per device keeps the ack unambiguous even for clean sessions, for
 * which aedes reports the ack without the packet.
 */
export class C2dDelivery {
  private readonly inFlight = new Map<string, InFlight>();
  /** Messages an ended clean=false session still holds in aedes (re-sent by aedes on resume). */
  private readonly heldBySession = new Map<string, string>();

  constructor(
    private readonly c2d: C2dQueue,
    private readonly context: ReplyContext & { readonly clock: Clock },
  ) {}

  /** A connection became ready (after CONNACK); restored subscriptions count. */
  onReady(connection: DeviceConnection): void {
    if (connection.owner.moduleId !== undefined) return;
    const deviceId = connection.owner.deviceId;
    const held = this.heldBySession.get(deviceId);
    this.heldBySession.delete(deviceId);
    if (held !== undefined && !connection.client.clean) {
      this.inFlight.set(deviceId, { connection, messageId: held });
      return;
    }
    this.pump(connection);
  }

  /** The connection ended: an unacknowledged message stays queued. */
  onDisconnect(connection: DeviceConnection): void {
    if (connection.owner.moduleId !== undefined) return;
    const deviceId = connection.owner.deviceId;
    const flight = this.inFlight.get(deviceId);
    if (!flight || flight.connection !== connection) return;
    this.inFlight.delete(deviceId);
    if (!connection.client.clean) this.heldBySession.set(deviceId, flight.messageId);
  }

  /** The device PUBACKed a QoS-1 packet (C2D is the only QoS-1 traffic the hub sends). */
  onAck(connection: DeviceConnection, packet: PublishPacket | undefined): void {
    if (connection.owner.moduleId !== undefined) return;
    const deviceId = connection.owner.deviceId;
    const flight = this.inFlight.get(deviceId);
    const messageId = (packet?.topic === undefined ? undefined : messageIdOfC2dTopic(packet.topic)) ?? flight?.messageId;
    if (flight && flight.messageId === messageId) this.inFlight.delete(deviceId);
    if (messageId === undefined) return;
    this.context.tap.record({ deviceId, direction: 'in', protocol: 'mqtt', ...webSocketFlag(connection.client), kind: 'c2d', topic: `PUBACK ${messageId}`, rid: messageId, payload: '' });
    const ctx = mqttContext(this.context.clock, identityOf(connection), 'c2d.complete');
    void this.c2d
      .complete(deviceId, messageId)
      .catch((error: unknown) => this.context.logger.warn(`C2D completion of ${messageId} failed: ${String(error)}`, ctx.correlationId))
      .finally(() => this.pump(connection));
  }

  /** Sends the head of the device's queue if the connection subscribed to C2D and nothing is in flight. */
  pump(connection: DeviceConnection): void {
    const deviceId = connection.owner.deviceId;
    if (connection.owner.moduleId !== undefined || !connection.subscriptions.has(c2dFilter(deviceId))) return;
    if (this.inFlight.has(deviceId) || connection.client.closed) return;
    const ctx = mqttContext(this.context.clock, identityOf(connection), 'c2d.deliver');
    void this.sendNext(ctx, connection).catch((error: unknown) => this.context.logger.warn(`C2D delivery failed: ${String(error)}`, ctx.correlationId));
  }

  private async sendNext(ctx: RequestContext, connection: DeviceConnection): Promise<void> {
    const deviceId = connection.owner.deviceId;
    // Reserve the slot first: sendNext is async and two pumps must not send two messages.
    const reservation: InFlight = { connection, messageId: '' };
    this.inFlight.set(deviceId, reservation);
    const message = await this.takeNext(ctx, deviceId);
    if (this.inFlight.get(deviceId) !== reservation) return;
    if (!message || connection.client.closed) {
      this.inFlight.delete(deviceId);
      return;
    }
    this.inFlight.set(deviceId, { connection, messageId: message.messageId });
    this.publish(connection, message);
  }

  /** The head of the queue, counted as delivered once more; messages delivered too often are skipped (dead-lettered). */
  private async takeNext(ctx: RequestContext, deviceId: string): Promise<StoredC2dMessage | undefined> {
    for (;;) {
      const message = await this.c2d.next(deviceId);
      if (!message || (await this.c2d.markDelivered(deviceId, message.messageId))) return message;
      this.context.logger.debug(`C2D ${message.messageId} was delivered too often`, ctx.correlationId);
    }
  }

  private publish(connection: DeviceConnection, message: StoredC2dMessage): void {
    const topic = c2dTopic(connection.owner.deviceId, message);
    const payload = Buffer.from(message.body, 'base64');
    connection.client.publish({ cmd: 'publish', topic, payload, qos: 1, retain: false, dup: false }, (error) => {
      if (error) this.context.logger.debug(`C2D publish failed: ${error.message}`, message.messageId);
    });
    this.context.tap.record({
      deviceId: connection.owner.deviceId,
      direction: 'out',
      protocol: 'mqtt',
      ...webSocketFlag(connection.client),
      kind: 'c2d',
      topic,
      // The PUBACK carries no message id on the wire; the tap pairs it with this delivery by the `$.mid`.
      rid: message.messageId,
      payload,
    });
  }
}
