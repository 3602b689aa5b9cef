import type { Duplex } from 'node:stream';

import mqttPacket, { type Packet } from 'mqtt-packet';

/** A device end of an in-memory MQTT connection: writes packets with mqtt-packet and parses what the broker sends. */
export class PacketClient {
  private readonly received: Packet[] = [];
  private readonly waiters: ((packet: Packet) => void)[] = [];
  /** Resolves when the broker closed the connection. */
  readonly closed: Promise<void>;

  constructor(private readonly stream: Duplex) {
    const parser = mqttPacket.parser({ protocolVersion: 4 });
    parser.on('packet', (packet: Packet) => {
      const waiter = this.waiters.shift();
      if (waiter) waiter(packet);
      else this.received.push(packet);
    });
    stream.on('data', (chunk: Buffer) => parser.parse(chunk));
    this.closed = new Promise((resolve) => stream.once('close', () => resolve()));
  }

  /** Sends one packet. */
  send(packet: Packet): void {
    this.stream.write(mqttPacket.generate(packet));
  }

  /** The next packet from the broker (fails after `timeoutMs`). */
  next(timeoutMs = 2000): Promise<Packet> {
    const queued = this.received.shift();
    if (queued) return Promise.resolve(queued);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no packet within ${timeoutMs} ms`)), timeoutMs);
      this.waiters.push((packet) => {
        clearTimeout(timer);
        resolve(packet);
      });
    });
  }

  /** Closes the device side. */
  end(): void {
    this.stream.destroy();
  }
}
