import type { TrafficEvent } from '../../events.js';
import { toMqttError } from '../../errors/to-mqtt.js';
import type { Logger } from '../../logger.js';
import type { RequestContext } from '../../model/request-context.js';
import type { TrafficTap } from '../tap.js';
import type { DeviceConnection } from './device-connection.js';
import { FrameGuard } from './frame-guard.js';
import { webSocketFlag } from './transport-of.js';

/** What the MQTT handlers need from the gateway to answer a device. */
export interface ReplyContext {
  readonly tap: TrafficTap;
  readonly logger: Logger;
}

/** Details of one hub → device publish, for the traffic view. */
export interface OutgoingPublish {
  readonly topic: string;
  readonly payload: string;
  readonly kind: TrafficEvent['kind'];
  readonly rid?: string;
  readonly status?: number;
}

/**
 * Publishes to exactly this connection with `client.publish`, never `aedes.publish`: every device subscribes to
 * the same `$iothub/twin/res/#`, so routing through the broker would fan one device's twin out to all devices
 * (sdk-notes.md §5). Twin responses and desired notifications go out at QoS 0 (iothub-protocol.md §3.4).
 */
export function publishTo(context: ReplyContext, connection: DeviceConnection, message: OutgoingPublish): void {
  const payload = Buffer.from(message.payload, 'utf8');
  if (!roomFor(context, connection, message.rid)) return;
  const { outbox } = connection;
  if (outbox) outbox.messages += 1;
  connection.client.publish({ cmd: 'publish', topic: message.topic, payload, qos: 0, retain: false, dup: false }, (error) => {
    if (outbox) outbox.messages -= 1;
    if (error) context.logger.debug(`publish to ${connection.client.id} failed: ${error.message}`, message.rid);
  });
  context.tap.record({
    deviceId: connection.principal.deviceId,
    direction: 'out',
    protocol: 'mqtt',
    ...webSocketFlag(connection.client),
    kind: message.kind,
    topic: message.topic,
    payload,
    ...(message.rid === undefined ? {} : { rid: message.rid }),
    ...(message.status === undefined ? {} : { status: message.status }),
  });
}

/**
 * A client that does not read its replies must not grow the hub (issue 11): past the outbox bounds the connection
 * is closed, as brokers do with slow consumers. Dropping the reply instead would leave the SDK waiting forever
 * (sdk-notes.md §6.3: twin requests have no timeout); a closed connection makes it reconnect and ask again.
 */
export function roomFor(context: ReplyContext, connection: DeviceConnection, correlationId?: string): boolean {
  const { outbox, client } = connection;
  if (!outbox) return true;
  const bytes = outgoingBytes(client.conn);
  if (bytes <= outbox.maxBytes && outbox.messages < outbox.maxMessages) return !client.closed;
  context.logger.warn(
    `closing ${client.id}: it does not read (${bytes} bytes, ${outbox.messages} messages waiting; limits.maxOutgoingBytes ${outbox.maxBytes}, maxOutgoingMessages ${outbox.maxMessages})`,
    correlationId ?? client.id,
  );
  client.close();
  return false;
}

function outgoingBytes(conn: unknown): number {
  if (conn instanceof FrameGuard) return conn.outgoingBytes;
  const length = (conn as { writableLength?: unknown }).writableLength;
  return typeof length === 'number' ? length : 0;
}

/** Answers a twin request with the hub's error status and JSON `{errorCode,…}` body (§4.5), at the request's time. */
export function publishTwinError(
  context: ReplyContext,
  connection: DeviceConnection,
  ctx: RequestContext,
  rid: string,
  error: unknown,
  topicFor: (status: number) => string,
): void {
  const { status, body } = toMqttError(error, new Date(ctx.time));
  if (status >= 500) context.logger.error(`${ctx.operation} failed: ${String(error)}`, ctx.correlationId);
  publishTo(context, connection, { topic: topicFor(status), payload: body, kind: 'twin', rid, status });
}
