/**
 * Bounds what one AMQP client can make the hub buffer. rhea reads any frame its header announces (up to 4 GiB) and
 * joins the frames of a multi-frame delivery without a limit, so a client could make the hub hold gigabytes before
 * the 256 KB message check (which runs on the whole message) ever sees it. Two bounds, checked as bytes arrive:
 *
 * - `AmqpFrameSizeGuard`: every frame header is read as it arrives; a frame larger than the `max-frame-size` the hub
 *   advertised in its `open` (AMQP 1.0 §2.7.1: a peer must not send larger frames) closes the connection at once.
 * - `guardDeliverySize`: the payloads of one delivery (a transfer and its `more` continuations) are added up per
 *   link; past the bound the connection is closed with `amqp:link:message-size-exceeded`.
 */

/** The `max-frame-size` the hub advertises and enforces (Azure's AMQP endpoints advertise 64 KiB too). */
export const AMQP_MAX_FRAME_BYTES = 64 * 1024;

const PROTOCOL_HEADER = Buffer.from('AMQP', 'latin1');

/**
 * Follows the frame boundaries of one AMQP byte stream (protocol headers `AMQP x 1 0 0` and frames, each starting
 * with its 4-byte size) without decoding anything. `feed` returns a reason once the stream breaks the bound.
 */
export class AmqpFrameSizeGuard {
  /** Bytes of the current frame still to skip. */
  private skip = 0;
  /** Bytes of the next frame header (or protocol header) gathered so far. */
  private readonly head = Buffer.alloc(8);
  private headLength = 0;
  private violation: string | undefined;

  constructor(private readonly maxFrameBytes: number = AMQP_MAX_FRAME_BYTES) {}

  /** Reads `chunk`; undefined while the stream keeps within the bound, else why it does not. */
  feed(chunk: Uint8Array): string | undefined {
    let offset = 0;
    while (offset < chunk.length && this.violation === undefined) {
      if (this.skip > 0) {
        const step = Math.min(this.skip, chunk.length - offset);
        this.skip -= step;
        offset += step;
        continue;
      }
      const wanted = this.isProtocolHeader() ? 8 : 4;
      const step = Math.min(wanted - this.headLength, chunk.length - offset);
      this.head.set(chunk.subarray(offset, offset + step), this.headLength);
      this.headLength += step;
      offset += step;
      if (this.headLength === 4 && this.isProtocolHeader()) continue;
      if (this.headLength < wanted) continue;
      if (wanted === 4) this.startFrame(this.head.readUInt32BE(0));
      this.headLength = 0;
    }
    return this.violation;
  }

  private isProtocolHeader(): boolean {
    return this.headLength >= 4 && this.head.subarray(0, 4).equals(PROTOCOL_HEADER);
  }

  private startFrame(size: number): void {
    if (size < 8) this.violation = `an AMQP frame of ${size} bytes (the smallest is 8)`;
    else if (size > this.maxFrameBytes) this.violation = `an AMQP frame of ${size} bytes (max-frame-size is ${this.maxFrameBytes})`;
    else this.skip = size - 4;
  }
}

/** A rhea transfer frame as its connection's `on_transfer` receives it. */
interface TransferFrame {
  readonly channel: number;
  readonly performative: { readonly handle: number; readonly more?: boolean };
  readonly payload?: Uint8Array;
}

/** The part of a rhea connection the delivery guard uses. */
interface GuardedConnection {
  on_transfer(frame: TransferFrame): void;
  close(error?: { condition: string; description: string }): void;
}

/**
 * Wraps one rhea connection's transfer handling (an own property in front of its prototype's) so the payload of a
 * delivery in progress is counted per link; past `maxDeliveryBytes` the connection is closed with
 * `amqp:link:message-size-exceeded` and nothing more of it is buffered. Called at `connection_open`, before any link
 * can exist.
 */
export function guardDeliverySize(connection: unknown, maxDeliveryBytes: number, onViolation: (reason: string) => void): void {
  const target = connection as GuardedConnection;
  const original = target.on_transfer.bind(target);
  const inProgress = new Map<string, number>();
  let closed = false;
  target.on_transfer = (frame: TransferFrame) => {
    if (closed) return;
    const key = `${frame.channel}/${frame.performative.handle}`;
    const total = (inProgress.get(key) ?? 0) + (frame.payload?.length ?? 0);
    if (total > maxDeliveryBytes) {
      closed = true;
      inProgress.clear();
      const description = `A message of more than ${maxDeliveryBytes} bytes: the connection is closed.`;
      onViolation(description);
      target.close({ condition: 'amqp:link:message-size-exceeded', description });
      return;
    }
    if (frame.performative.more === true) inProgress.set(key, total);
    else inProgress.delete(key);
    original(frame);
  };
}
