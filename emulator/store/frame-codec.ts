import * as zlib from 'node:zlib';

import type { HubChange } from '../model/changes.js';

// One journal frame per durable batch:
//   magic "TWJ1" (4) | payload length, u32 LE (4) | crc32 of the payload, u32 LE (4) | payload: JSON {seq, changes}
// A frame never starts with zero bytes, so zeros where a frame would start mark the end of a segment's data
// (segments are preallocated with zeros).

/** The four bytes every frame starts with. */
export const FRAME_MAGIC = Buffer.from('TWJ1', 'latin1');
/** Magic, length and checksum. */
export const FRAME_HEADER_BYTES = 12;
/** Refuse lengths above this when reading: a torn length field must not make us allocate gigabytes. */
const MAX_PAYLOAD_BYTES = 256 * 1024 * 1024;

/** The content of one frame. */
export interface JournalFrame {
  readonly seq: number;
  readonly changes: readonly HubChange[];
}

/** What `decodeFrame` found at an offset. */
export type DecodedFrame =
  | { readonly kind: 'frame'; readonly frame: JournalFrame; readonly bytes: number }
  /** Zero bytes where a frame would start (or the end of the buffer): no more data. */
  | { readonly kind: 'end' }
  | { readonly kind: 'invalid'; readonly reason: string };

/** Encodes one batch as a frame. */
export function encodeFrame(frame: JournalFrame): Buffer {
  const payload = Buffer.from(JSON.stringify({ seq: frame.seq, changes: frame.changes }), 'utf8');
  const header = Buffer.allocUnsafe(FRAME_HEADER_BYTES);
  FRAME_MAGIC.copy(header, 0);
  header.writeUInt32LE(payload.length, 4);
  header.writeUInt32LE(crc32(payload), 8);
  return Buffer.concat([header, payload]);
}

/** Decodes the frame at `offset`, telling apart a valid frame, the end of the data, and anything else. */
export function decodeFrame(buffer: Buffer, offset: number): DecodedFrame {
  if (offset >= buffer.length) return { kind: 'end' };
  if (isZero(buffer, offset, Math.min(buffer.length, offset + FRAME_HEADER_BYTES))) return { kind: 'end' };
  if (offset + FRAME_HEADER_BYTES > buffer.length) return { kind: 'invalid', reason: 'truncated frame header' };
  if (buffer.compare(FRAME_MAGIC, 0, 4, offset, offset + 4) !== 0) return { kind: 'invalid', reason: 'bad frame magic' };
  const length = buffer.readUInt32LE(offset + 4);
  const end = offset + FRAME_HEADER_BYTES + length;
  if (length === 0 || length > MAX_PAYLOAD_BYTES || end > buffer.length) return { kind: 'invalid', reason: `bad frame length ${length}` };
  const payload = buffer.subarray(offset + FRAME_HEADER_BYTES, end);
  if (crc32(payload) !== buffer.readUInt32LE(offset + 8)) return { kind: 'invalid', reason: 'checksum mismatch' };
  const frame = parsePayload(payload);
  if (!frame) return { kind: 'invalid', reason: 'payload is not a journal batch' };
  return { kind: 'frame', frame, bytes: end - offset };
}

/** Offset of the next valid frame at or after `from`, or -1: tells a torn tail from a corrupt middle. */
export function findValidFrame(buffer: Buffer, from: number): number {
  for (let at = buffer.indexOf(FRAME_MAGIC, from); at >= 0; at = buffer.indexOf(FRAME_MAGIC, at + 1)) {
    if (decodeFrame(buffer, at).kind === 'frame') return at;
  }
  return -1;
}

/** Whether bytes [from, to) are all zero. */
export function isZero(buffer: Buffer, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (buffer[i] !== 0) return false;
  return true;
}

function parsePayload(payload: Buffer): JournalFrame | undefined {
  let value: unknown;
  try {
    value = JSON.parse(payload.toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const { seq, changes } = value as { seq?: unknown; changes?: unknown };
  if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 1 || !Array.isArray(changes)) return undefined;
  // The checksum vouches for the bytes; the records were written by this code as HubChange JSON.
  return { seq, changes: changes as HubChange[] };
}

/** CRC-32 (IEEE): node:zlib's when this Node has it (20.15+), else a table implementation. */
export const crc32: (data: Buffer) => number = // A namespace import: a named import of a missing export would fail to link on an older Node.
  typeof zlib.crc32 === 'function' ? (data) => zlib.crc32(data) : tableCrc32;

let table: Uint32Array | undefined;

/** The table implementation of CRC-32 (the fallback; exported so tests compare it with node:zlib's). */
export function tableCrc32(data: Buffer): number {
  table ??= Uint32Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  let crc = 0xffffffff;
  for (const byte of data) crc = (table[(crc ^ byte) & 0xff] ?? 0) ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}
