import { Duplex } from 'node:stream';

/** Packet size limits checked at each fixed header (wire-limits.ts). */
export interface FrameLimits {
  readonly maxConnectBytes: number;
  readonly maxPacketBytes: number;
}

const SUBSCRIBE = 8;

/**
 * Sits between a client's socket and aedes and reads only MQTT fixed headers (issue 11):
 * - a packet whose remaining length exceeds the limit closes the connection before one byte of it is buffered
 *   (mqtt-packet's parser has no maximum and would buffer a 200 MB CONNECT in full); the first packet, CONNECT,
 *   gets the smaller limit, since nobody is authenticated yet;
 * - a SUBSCRIBE asking for QoS 2 is rewritten to ask for QoS 1, because IoT Hub grants 1 (iothub-protocol.md §3.4,
 *   checklist 18) and aedes puts the requested QoS in the SUBACK before `authorizeSubscribe` runs
 *   (aedes lib/handlers/subscribe.js: `SubState.granted` is copied from the packet and only ever set to 128).
 * Writes go straight to the socket; {@link outgoingBytes} is what the hub holds for a client that does not read.
 */
export class FrameGuard extends Duplex {
  private header: number[] = [];
  private bodyLeft = 0;
  private subscribe: { parts: Buffer[]; left: number } | undefined;
  private first = true;

  constructor(
    private readonly inner: Duplex,
    private readonly limits: FrameLimits,
    private readonly onViolation: (reason: string) => void,
  ) {
    super({ allowHalfOpen: false });
    inner.on('data', (chunk: Buffer) => this.scan(chunk));
    inner.on('end', () => this.push(null));
    inner.on('error', (error) => this.destroy(error));
    inner.on('close', () => this.destroy());
  }

  /** Bytes written by the hub and not yet taken by the client's TCP connection. */
  get outgoingBytes(): number {
    return this.writableLength + this.inner.writableLength;
  }

  override _read(): void {
    this.inner.resume();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    if (this.inner.write(chunk)) callback();
    else this.inner.once('drain', () => callback());
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.inner.end();
    callback();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.inner.destroy();
    callback(error);
  }

  private scan(chunk: Buffer): void {
    const out: Buffer[] = [];
    let offset = 0;
    while (offset < chunk.length) {
      if (this.subscribe) {
        const take = Math.min(this.subscribe.left, chunk.length - offset);
        this.subscribe.parts.push(chunk.subarray(offset, offset + take));
        this.subscribe.left -= take;
        offset += take;
        if (this.subscribe.left === 0) {
          out.push(grantAtMostQos1(Buffer.concat(this.subscribe.parts)));
          this.subscribe = undefined;
        }
      } else if (this.bodyLeft > 0) {
        const take = Math.min(this.bodyLeft, chunk.length - offset);
        out.push(chunk.subarray(offset, offset + take));
        this.bodyLeft -= take;
        offset += take;
      } else {
        this.header.push(chunk[offset] ?? 0);
        offset += 1;
        const header = this.takeHeader();
        if (header === 'violation') return;
        if (header) out.push(header);
      }
    }
    if (out.length > 0 && !this.push(out.length === 1 ? out[0] : Buffer.concat(out))) this.inner.pause();
  }

  /**
   * The whole fixed header once it is read (to pass on; nothing while a SUBSCRIBE is collected), undefined while it
   * is incomplete; on a violation the connection is closed.
   */
  private takeHeader(): Buffer | undefined | 'violation' {
    const length = remainingLength(this.header);
    if (length === undefined) return undefined;
    const type = (this.header[0] ?? 0) >> 4;
    const limit = this.first ? this.limits.maxConnectBytes : this.limits.maxPacketBytes;
    if (length === 'malformed' || length > limit) {
      const what = this.first ? 'first packet (CONNECT)' : 'packet';
      this.onViolation(length === 'malformed' ? 'malformed remaining length' : `${what} of ${length} bytes exceeds ${limit} bytes`);
      this.destroy();
      return 'violation';
    }
    const header = Buffer.from(this.header);
    this.header = [];
    this.first = false;
    if (type === SUBSCRIBE && length > 0) {
      this.subscribe = { parts: [header], left: length };
      return undefined;
    }
    this.bodyLeft = length;
    return header;
  }
}

/** The remaining length of a fixed header: a number, undefined while incomplete, or 'malformed' [MQTT-2.2.3]. */
function remainingLength(header: readonly number[]): number | 'malformed' | undefined {
  let value = 0;
  for (let index = 1; index < header.length; index += 1) {
    const byte = header[index] ?? 0;
    value += (byte & 0x7f) * 128 ** (index - 1);
    if ((byte & 0x80) === 0) return value;
    if (index === 4) return 'malformed';
  }
  return undefined;
}

/** Rewrites each requested QoS 2 of a whole SUBSCRIBE packet to 1, in place [MQTT-3.8.3-4 layout]. */
function grantAtMostQos1(packet: Buffer): Buffer {
  let offset = 1;
  while (offset < packet.length && ((packet[offset] ?? 0) & 0x80) !== 0) offset += 1;
  offset += 1 + 2; // the last length byte, then the packet identifier
  while (offset + 2 <= packet.length) {
    const topicLength = packet.readUInt16BE(offset);
    const qosAt = offset + 2 + topicLength;
    if (qosAt >= packet.length) break;
    const options = packet[qosAt] ?? 0;
    if ((options & 0x03) === 2) packet[qosAt] = (options & ~0x03) | 1;
    offset = qosAt + 1;
  }
  return packet;
}
