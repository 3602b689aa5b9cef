import type { Message } from 'rhea';

import { argumentInvalid } from '../../errors/catalogue.js';
import type { C2dMessageInput } from '../../services/c2d-service.js';
import type { C2dAck } from '../../model/hub-state.js';
import { dictionary } from '../../util/own-keys.js';
import { idText } from './device/message-ids.js';
import { bodyBytesOf } from './message-body.js';

/** The device a C2D message is for: `to = /devices/<url-encoded id>/messages/devicebound` (iothub-protocol.md §6.3). */
export function deviceIdOfC2dAddress(to: unknown): string {
  const match = typeof to === 'string' ? /^\/devices\/([^/]+)\/messages\/devicebound\/?$/i.exec(to) : null;
  if (!match?.[1]) throw argumentInvalid(`The message 'to' must be /devices/<deviceId>/messages/devicebound, got '${String(to)}'.`);
  try {
    return decodeURIComponent(match[1]);
  } catch {
    throw argumentInvalid(`The device id in '${String(to)}' is not valid percent-encoding.`);
  }
}

/**
 * An AMQP message from the service SDK → the C2D service's input: body from a data section (or a string/JSON
 * value), `message_id`, `correlation_id`, `user_id`, `content_type`, `content_encoding`, `absolute_expiry_time`,
 * application properties, and `iothub-ack` taken out of them.
 */
export function c2dInputOf(message: Message): C2dMessageInput {
  // No prototype: `__proto__` is an ordinary application property name, kept as data (util/own-keys.ts).
  const application: Record<string, string | null> = dictionary();
  let ack: C2dAck | undefined;
  const props = (message.application_properties ?? {}) as Record<string, unknown>;
  for (const [key, value] of Object.entries(props)) {
    if (key === 'iothub-ack') ack = String(value) as C2dAck;
    else application[key] = value === null || value === undefined ? null : String(value);
  }
  const input: { -readonly [K in keyof C2dMessageInput]: C2dMessageInput[K] } = { body: bodyBytesOf(message.body), properties: application };
  // azure-iothub sends a uuid-looking messageId as an AMQP uuid (amqp_message.js encodeUuid): read it back as text.
  const messageId = idText(message.message_id);
  if (messageId !== undefined) input.messageId = messageId;
  const correlationId = idText(message.correlation_id);
  if (correlationId !== undefined) input.correlationId = correlationId;
  // user-id is AMQP binary: its bytes are the text.
  if (message.user_id !== undefined && message.user_id !== null) input.userId = Buffer.isBuffer(message.user_id) ? message.user_id.toString('utf8') : String(message.user_id);
  if (typeof message.content_type === 'string') input.contentType = message.content_type;
  if (typeof message.content_encoding === 'string') input.contentEncoding = message.content_encoding;
  if (message.absolute_expiry_time !== undefined) input.expiryTime = new Date(message.absolute_expiry_time as Date | number);
  if (ack !== undefined) input.ack = ack;
  return input;
}

