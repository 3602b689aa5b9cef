/** A writable byte stream as the AMQP listeners hand it to rhea: a TCP or TLS socket, or a WebSocket's stream. */
interface OutgoingStream {
  write(...args: never[]): boolean;
  readonly writableLength: number;
  destroy(): void;
  once(event: 'drain' | 'close', listener: () => void): unknown;
}

/** How far past the bound a connection may go while its grace runs (a consumer taking a large prefetch at once). */
export const OUTGOING_HARD_FACTOR = 16;

/**
 * Bounds the bytes the hub holds for one AMQP connection that does not read (as `limits.maxOutgoingBytes` bounds an
 * MQTT connection's outbox, mqtt/reply.ts): rhea writes every frame to the socket whether or not the peer takes it,
 * so a device that requests twins and never reads would grow the hub without limit. Unlike an MQTT device, an AMQP
 * connection may be an Event Hubs consumer whose credit lets the hub write a large batch at once, so passing the
 * bound starts a grace of `graceMs`: a peer that drains its socket in that time is fine; one that does not, or that
 * lets `OUTGOING_HARD_FACTOR` times the bound pile up, is destroyed and `onViolation` says so once.
 */
export function boundOutgoing(stream: OutgoingStream, maxBytes: number, graceMs: number, onViolation: (bufferedBytes: number) => void): void {
  const write = stream.write.bind(stream) as (...args: unknown[]) => boolean;
  let tripped = false;
  let grace: NodeJS.Timeout | undefined;
  const trip = () => {
    if (tripped) return;
    tripped = true;
    clearTimeout(grace);
    onViolation(stream.writableLength);
    stream.destroy();
  };
  stream.once('close', () => clearTimeout(grace));
  (stream as unknown as { write: (...args: unknown[]) => boolean }).write = (...args: unknown[]) => {
    if (tripped) return false;
    const flushed = write(...args);
    const buffered = stream.writableLength;
    if (buffered > maxBytes * OUTGOING_HARD_FACTOR) trip();
    else if (buffered > maxBytes && grace === undefined) {
      grace = setTimeout(trip, graceMs);
      grace.unref();
      stream.once('drain', () => {
        clearTimeout(grace);
        grace = undefined;
      });
    }
    return flushed;
  };
}
