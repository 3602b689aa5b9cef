import type { HubEventBus, TrafficEvent, TrafficInput, TrafficRecorder } from '../events.js';
import type { Clock } from '../util/clock.js';
import { RingBuffer } from '../util/ring-buffer.js';

/** Longest payload preview kept per traffic event (house-style H16). */
export const PAYLOAD_PREVIEW_BYTES = 4096;

export type { TrafficInput } from '../events.js';

/** Wire tap: every exchange becomes a bounded TrafficEvent, kept in a ring buffer and published on the bus. */
export class TrafficTap implements TrafficRecorder {
  private readonly recent: RingBuffer<TrafficEvent>;
  private nextId = 1;

  constructor(
    private readonly events: HubEventBus,
    private readonly clock: Clock,
    capacity = 2000,
  ) {
    this.recent = new RingBuffer<TrafficEvent>(capacity);
  }

  record(input: TrafficInput): void {
    const raw = input.payload ?? '';
    const bytes = typeof raw === 'string' ? Buffer.byteLength(raw) : raw.length;
    const text = typeof raw === 'string' ? raw : raw.subarray(0, PAYLOAD_PREVIEW_BYTES).toString('utf8');
    const event: TrafficEvent = {
      ...input,
      id: this.nextId++,
      time: this.clock.now().toISOString(),
      payload: text.length > PAYLOAD_PREVIEW_BYTES ? text.slice(0, PAYLOAD_PREVIEW_BYTES) : text,
      payloadBytes: bytes,
    };
    this.recent.push(event);
    this.events.emit('traffic', event);
  }

  /** The most recent events, oldest first. */
  snapshot(): TrafficEvent[] {
    return this.recent.toArray();
  }

  clear(): void {
    this.recent.clear();
  }
}
