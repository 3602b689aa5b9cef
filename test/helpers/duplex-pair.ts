import { Duplex } from 'node:stream';

/** One end of a {@link duplexPair}: what it writes, its peer reads. */
class PairEnd extends Duplex {
  peer: PairEnd | undefined;

  override _read(): void {}

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.peer?.push(chunk);
    callback();
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.peer?.push(null);
    callback();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    const peer = this.peer;
    if (peer && !peer.destroyed) peer.destroy();
    callback(error);
  }
}

/**
 * Two connected in-memory streams, like `node:stream` `duplexPair()` (Node ≥ 22.6; Node here is 20), which aedes'
 * own tests use: what one end writes the other reads. Ending one end ends the other's readable side; destroying
 * one end closes the other, as a closed socket would.
 */
export function duplexPair(): [Duplex, Duplex] {
  const a = new PairEnd();
  const b = new PairEnd();
  a.peer = b;
  b.peer = a;
  return [a, b];
}
