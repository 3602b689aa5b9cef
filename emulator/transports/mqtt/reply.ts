import type { TrafficEvent } from '../../events.js';
import { toMqttError } from '../../errors/to-mqtt.js';
import type { Logger } from '../../logger.js';
import type { RequestContext } from '../../model/request-context.js';
import type { TrafficTap } from '../tap.js';
import type { DeviceConnection } from './device-connection.js';

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
  connection.client.publish({ cmd: 'publish', topic: message.topic, payload, qos: 0, retain: false, dup: false }, (error) => {
    if (error) context.logger.debug(`publish to ${connection.client.id} failed: ${error.message}`, message.rid);
  });
  context.tap.record({
    deviceId: connection.principal.deviceId,
    direction: 'out',
    protocol: 'mqtt',
    kind: message.kind,
    topic: message.topic,
    payload,
    ...(message.rid === undefined ? {} : { rid: message.rid }),
    ...(message.status === undefined ? {} : { status: message.status }),
  });
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
