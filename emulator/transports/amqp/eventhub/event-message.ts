import rhea, { type Message } from 'rhea';

import type { HubEvent } from '../../../model/hub-event.js';
import { dictionary } from '../../../util/own-keys.js';
import { wireId } from '../device/message-ids.js';

/** Annotations whose values are AMQP timestamps, not strings. */
const TIMESTAMPS = new Set(['iothub-enqueuedtime']);

/**
 * An event as the Event Hub-compatible endpoint delivers it (iothub-protocol-2.md §5.5-5.6): the partition
 * annotations (`x-opt-sequence-number` as a long, `x-opt-offset` as a string, `x-opt-enqueued-time` as a timestamp),
 * the hub's stamps, the device message's AMQP properties, its application properties, and a data-section body.
 */
export function eventMessage(event: HubEvent): Message {
  // No prototype: a property named `__proto__` (a device's, or an enrichment key) stays a plain entry.
  const annotations: Record<string, unknown> = dictionary();
  for (const [key, value] of Object.entries(event.annotations)) annotations[key] = TIMESTAMPS.has(key) ? new Date(value) : value;
  annotations['x-opt-sequence-number'] = rhea.types.wrap_long(event.sequenceNumber);
  annotations['x-opt-offset'] = event.offset;
  annotations['x-opt-enqueued-time'] = new Date(event.enqueuedTime);
  const application: Record<string, unknown> = dictionary();
  for (const [key, value] of Object.entries(event.application)) application[key] = value;
  const message: Message = {
    message_annotations: annotations,
    application_properties: application,
    body: rhea.message.data_section(Buffer.from(event.body, 'base64')),
  };
  const { properties } = event;
  if (properties.messageId !== undefined) message.message_id = wireId(properties.messageId);
  if (properties.correlationId !== undefined) message.correlation_id = wireId(properties.correlationId);
  if (properties.userId !== undefined) message.user_id = Buffer.from(properties.userId, 'utf8') as never;
  if (properties.contentType !== undefined) message.content_type = properties.contentType;
  if (properties.contentEncoding !== undefined) message.content_encoding = properties.contentEncoding;
  if (properties.absoluteExpiryTime !== undefined) message.absolute_expiry_time = new Date(properties.absoluteExpiryTime);
  return message;
}
