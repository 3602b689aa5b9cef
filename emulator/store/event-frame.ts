import type { HubEvent } from '../model/hub-event.js';
import { crc32 } from './frame-codec.js';

// One event per frame, framed like the twin journal (frame-codec.ts) with its own magic:
//   magic "TWE1" (4) | payload length, u32 LE (4) | crc32 of the payload, u32 LE (4) | payload: the event as JSON

const EVENT_MAGIC = Buffer.from('TWE1', 'latin1');
const HEADER_BYTES = 12;
/** An event is at most 256 KB of body (base64 ≈ 350 KB) plus its properties. */
const MAX_PAYLOAD_BYTES = 4 * 1024 * 1024;

/** What the reader found at an offset. */
export type DecodedEvent =
  | { readonly kind: 'event'; readonly event: HubEvent; readonly bytes: number }
  | { readonly kind: 'end' }
  | { readonly kind: 'invalid'; readonly reason: string };

export function encodeEventFrame(event: HubEvent): Buffer {
  const payload = Buffer.from(JSON.stringify(event), 'utf8');
  const header = Buffer.allocUnsafe(HEADER_BYTES);
  EVENT_MAGIC.copy(header, 0);
  header.writeUInt32LE(payload.length, 4);
  header.writeUInt32LE(crc32(payload), 8);
  return Buffer.concat([header, payload]);
}

export function decodeEventFrame(buffer: Buffer, offset: number): DecodedEvent {
  if (offset >= buffer.length) return { kind: 'end' };
  if (offset + HEADER_BYTES > buffer.length) return { kind: 'invalid', reason: 'truncated frame header' };
  if (buffer.compare(EVENT_MAGIC, 0, 4, offset, offset + 4) !== 0) return { kind: 'invalid', reason: 'bad frame magic' };
  const length = buffer.readUInt32LE(offset + 4);
  const end = offset + HEADER_BYTES + length;
  if (length === 0 || length > MAX_PAYLOAD_BYTES || end > buffer.length) return { kind: 'invalid', reason: `bad frame length ${length}` };
  const payload = buffer.subarray(offset + HEADER_BYTES, end);
  if (crc32(payload) !== buffer.readUInt32LE(offset + 8)) return { kind: 'invalid', reason: 'checksum mismatch' };
  try {
    const event = JSON.parse(payload.toString('utf8')) as HubEvent;
    if (typeof event.sequenceNumber !== 'number' || typeof event.body !== 'string') return { kind: 'invalid', reason: 'payload is not an event' };
    return { kind: 'event', event, bytes: end - offset };
  } catch {
    return { kind: 'invalid', reason: 'payload is not JSON' };
  }
}

/** True when a valid frame starts anywhere at or after `from`: damage followed by data is not a torn tail. */
export function hasValidEventAfter(buffer: Buffer, from: number): boolean {
  for (let at = buffer.indexOf(EVENT_MAGIC, from); at >= 0; at = buffer.indexOf(EVENT_MAGIC, at + 1)) {
    if (decodeEventFrame(buffer, at).kind === 'event') return true;
  }
  return false;
}
