import { messageTooLarge } from '../errors/catalogue.js';
import type { HubEventBus } from '../events.js';
import type { MessageProperties } from '../model/message.js';
import type { RequestContext } from '../model/request-context.js';
import { twinKey, type TwinAddress } from '../model/twin-address.js';
import type { Clock } from '../util/clock.js';
import { RingBuffer } from '../util/ring-buffer.js';

/** One device-to-cloud message as the hub keeps it for the studio (iothub-protocol.md §6.1). */
export interface TelemetryMessage {
  /** Increasing per hub run, so a view can tell new messages from ones it has. */
  readonly sequenceNumber: number;
  readonly deviceId: string;
  readonly moduleId?: string;
  readonly enqueuedTime: string;
  /** Decoded `$.`-properties (`mid`, `ct`, `ce`, …) and application properties. */
  readonly properties: MessageProperties;
  readonly bodyBytes: number;
  /** Body as UTF-8 text, cut to {@link TELEMETRY_PREVIEW_BYTES}. */
  readonly bodyPreview: string;
  readonly truncated: boolean;
}

/** Longest body preview kept per message. */
export const TELEMETRY_PREVIEW_BYTES = 4096;
/** Messages kept per device (house-style H16: bounded at every hop). */
export const TELEMETRY_PER_DEVICE = 100;

/** The largest device-to-cloud message IoT Hub takes: 256 KB of body (iothub-protocol.md §10). */
export const MAX_D2C_BODY_BYTES = 256 * 1024;

/**
 * D2C telemetry sink: keeps the last {@link TELEMETRY_PER_DEVICE} messages of each identity in a ring buffer and
 * hands each one to `onMessage` listeners (the studio's telemetry view); the raw `telemetryReceived` bus event
 * stays available too. The durable copy is the sink's (services/event-hub-service.ts).
 */
export class TelemetryService {
  private readonly buffers = new Map<string, RingBuffer<TelemetryMessage>>();
  private sequence = 0;
  private readonly listeners = new Set<(message: TelemetryMessage) => void>();
  private readonly disposers: (() => void)[];

  constructor(
    private readonly events: HubEventBus,
    private readonly clock: Clock,
    private readonly perDevice = TELEMETRY_PER_DEVICE,
    /** Where accepted messages go durably (the built-in Event Hub-compatible endpoint); none in some unit tests. */
    private readonly sink?: (ctx: RequestContext, address: TwinAddress, properties: MessageProperties, body: Buffer) => Promise<unknown>,
    /** The largest body taken (IoT Hub's 256 KB; larger in lenient mode, services/leniency.ts). */
    readonly maxBodyBytes = MAX_D2C_BODY_BYTES,
  ) {
    this.disposers = [
      events.on('deviceDeleted', ({ deviceId }) => {
        for (const key of [...this.buffers.keys()]) if (key === deviceId || key.startsWith(`${deviceId}/`)) this.buffers.delete(key);
      }),
    ];
  }

  /**
   * A device (or module) sent a message: keep it, tell observers (`telemetryReceived`) and hand it to the sink (the
   * built-in endpoint); the promise resolves when the sink has it durably, which is when a transport acknowledges the
   * message. The request's time is the message's `enqueuedTime`. A body over 256 KB is refused at once (throws 413
   * MessageTooLarge) and nothing is kept.
   */
  receive(ctx: RequestContext, address: TwinAddress, properties: MessageProperties, body: Buffer): Promise<void> {
    if (body.length > this.maxBodyBytes) {
      throw messageTooLarge(`The device-to-cloud message is ${body.length} bytes; the maximum is ${this.maxBodyBytes}.`);
    }
    const durable = this.sink ? this.sink(ctx, address, properties, body).then(() => undefined) : Promise.resolve();
    this.record(address.deviceId, address.moduleId, properties, body, ctx.time);
    const { deviceId, moduleId } = address;
    this.events.emit('telemetryReceived', { deviceId, ...(moduleId === undefined ? {} : { moduleId }), properties, body });
    return durable;
  }

  /** Recent messages of one device (or module), oldest first. */
  recent(deviceId: string, moduleId?: string): TelemetryMessage[] {
    return this.buffers.get(twinKey({ deviceId, moduleId }))?.toArray() ?? [];
  }

  /** Recent messages of every identity, in arrival order. */
  all(): TelemetryMessage[] {
    return [...this.buffers.values()].flatMap((buffer) => buffer.toArray()).sort((a, b) => a.sequenceNumber - b.sequenceNumber);
  }

  /** Listens to every stored message; returns the disposer. */
  onMessage(listener: (message: TelemetryMessage) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  clear(): void {
    this.buffers.clear();
  }

  close(): void {
    for (const dispose of this.disposers) dispose();
    this.listeners.clear();
  }

  private record(deviceId: string, moduleId: string | undefined, properties: MessageProperties, body: Buffer, time: string): void {
    const key = twinKey({ deviceId, moduleId });
    let buffer = this.buffers.get(key);
    if (!buffer) {
      buffer = new RingBuffer<TelemetryMessage>(this.perDevice);
      this.buffers.set(key, buffer);
    }
    const truncated = body.length > TELEMETRY_PREVIEW_BYTES;
    const message: TelemetryMessage = {
      sequenceNumber: ++this.sequence,
      deviceId,
      ...(moduleId === undefined ? {} : { moduleId }),
      enqueuedTime: time,
      properties,
      bodyBytes: body.length,
      bodyPreview: body.subarray(0, TELEMETRY_PREVIEW_BYTES).toString('utf8'),
      truncated,
    };
    buffer.push(message);
    for (const listener of this.listeners) listener(message);
  }
}
