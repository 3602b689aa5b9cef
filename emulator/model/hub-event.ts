/**
 * One event on the built-in Event Hub-compatible endpoint (iothub-protocol-2.md §5.6): a device-to-cloud message as
 * the hub stamped it, with its place in its partition. Stored append-only (store/event-log.ts) and served to Event
 * Hubs consumers over AMQP.
 */
export interface HubEvent {
  readonly partition: number;
  /** Per partition, from 0, +1 per event. */
  readonly sequenceNumber: number;
  /** Per partition, increasing (the bytes of the partition before this event, as a decimal string). */
  readonly offset: string;
  /** Enqueue time, milliseconds since the epoch. */
  readonly enqueuedTime: number;
  /** Body, base64. */
  readonly body: string;
  /** AMQP properties from the device message. */
  readonly properties: HubEventProperties;
  /** Message annotations the hub stamps (`iothub-connection-device-id`, `iothub-message-source`, …). */
  readonly annotations: Readonly<Record<string, string>>;
  /** The device's application properties, unchanged. */
  readonly application: Readonly<Record<string, string | null>>;
}

/** The AMQP properties an event keeps from its device message. */
export interface HubEventProperties {
  readonly messageId?: string;
  readonly correlationId?: string;
  readonly userId?: string;
  readonly contentType?: string;
  readonly contentEncoding?: string;
  /** ISO time. */
  readonly absoluteExpiryTime?: string;
}

/** An event before the log gives it its place (partition, sequence number, offset). */
export type HubEventInput = Omit<HubEvent, 'sequenceNumber' | 'offset'>;
