import { connect as connectTcp, type Socket } from 'node:net';
import { connect as connectTls, createSecureContext, type SecureContext } from 'node:tls';

import mqttPacket, { type IPublishPacket, type Packet } from 'mqtt-packet';

/** Where and as whom a lean client connects. */
export interface LeanClientOptions {
  readonly host: string;
  readonly port: number;
  /** TLS with this CA (PEM); plain TCP when undefined. */
  readonly ca?: string;
  readonly servername?: string;
  readonly clientId: string;
  readonly username?: string;
  readonly password?: string;
  readonly clean: boolean;
  readonly keepaliveSeconds?: number;
  readonly timeoutMs?: number;
}

const contexts = new Map<string, SecureContext>();

/** One TLS context per CA: building it per connection (what `ca:` does) costs the load process milliseconds. */
function contextFor(ca: string): SecureContext {
  let context = contexts.get(ca);
  if (!context) {
    context = createSecureContext({ ca });
    contexts.set(ca, context);
  }
  return context;
}

/**
 * A minimal MQTT 3.1.1 client on mqtt-packet, for the benchmarks and the fuzzer. MQTT.js keeps stores, timers and
 * reconnect state per client; with 1,000 to 10,000 clients in one load process that bookkeeping would be what we
 * measure, and it refuses to send what a fuzzer needs (QoS 2 to the hub, odd flags, raw bytes). This client only
 * frames packets: CONNECT, SUBSCRIBE, PUBLISH (PUBACKs ignored), raw writes, and it acknowledges incoming QoS 1
 * publishes, as any subscriber must.
 */
export class LeanMqttClient {
  /** Called for every incoming PUBLISH. */
  onMessage: (topic: string, payload: Buffer) => void = () => undefined;
  private nextMessageId = 1;
  private readonly pending = new Map<number, (packet: Packet) => void>();

  private readonly closedPromise: Promise<void>;

  private constructor(private readonly socket: Socket) {
    this.closedPromise = new Promise((resolve) => socket.once('close', () => resolve()));
  }

  /** Connects and resolves after CONNACK 0; rejects on any other return code, a socket error or the timeout. */
  static connect(options: LeanClientOptions): Promise<LeanMqttClient> {
    const socket =
      options.ca === undefined
        ? connectTcp({ host: options.host, port: options.port })
        : connectTls({ host: options.host, port: options.port, secureContext: contextFor(options.ca), servername: options.servername ?? 'localhost' });
    // Explicitly: tls.connect does not pass a `noDelay` option on to its TCP socket. A subscriber writes PUBACK and
    // then its next PUBLISH; with Nagle on, the second would wait ~40 ms for the broker's delayed ACK.
    socket.setNoDelay(true);
    const client = new LeanMqttClient(socket);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => fail(new Error(`CONNECT ${options.clientId}: no CONNACK in time`)), options.timeoutMs ?? 30_000);
      const fail = (error: Error) => {
        clearTimeout(timer);
        socket.destroy();
        reject(error);
      };
      socket.once('error', fail);
      client.pending.set(0, (packet) => {
        clearTimeout(timer);
        socket.off('error', fail);
        socket.on('error', () => undefined);
        const code = packet.cmd === 'connack' ? packet.returnCode : -1;
        if (code === 0) resolve(client);
        else fail(Object.assign(new Error(`CONNACK ${String(code)}`), { code }));
      });
      client.listen();
      client.send({
        cmd: 'connect',
        protocolId: 'MQTT',
        protocolVersion: 4,
        clientId: options.clientId,
        clean: options.clean,
        keepalive: options.keepaliveSeconds ?? 180,
        ...(options.username === undefined ? {} : { username: options.username }),
        ...(options.password === undefined ? {} : { password: Buffer.from(options.password) }),
      });
    });
  }

  /** Subscribes and resolves with the granted QoS list of the SUBACK. */
  subscribe(filters: readonly { topic: string; qos: 0 | 1 }[], timeoutMs = 30_000): Promise<number[]> {
    const messageId = this.takeMessageId();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(messageId);
        reject(new Error('no SUBACK in time'));
      }, timeoutMs);
      this.pending.set(messageId, (packet) => {
        clearTimeout(timer);
        resolve(packet.cmd === 'suback' ? packet.granted.map(Number) : []);
      });
      this.send({ cmd: 'subscribe', messageId, subscriptions: filters.map((f) => ({ topic: f.topic, qos: f.qos })) });
    });
  }

  /** Publishes without waiting; a QoS 1 PUBACK is read and dropped. */
  publish(topic: string, payload: string | Buffer, qos: 0 | 1): void {
    const packet: IPublishPacket = { cmd: 'publish', topic, payload, qos, retain: false, dup: false };
    if (qos === 1) packet.messageId = this.takeMessageId();
    this.send(packet);
  }

  /** Sends any PUBLISH as given (QoS 2, retain, dup: whatever the caller wants the hub to see). */
  publishPacket(packet: Omit<IPublishPacket, 'cmd'>): void {
    this.send({ cmd: 'publish', ...packet });
  }

  /** Writes bytes as they are, framed or not. */
  writeRaw(bytes: Buffer): void {
    if (!this.socket.destroyed) this.socket.write(bytes);
  }

  /** True while the socket is open. */
  get connected(): boolean {
    return !this.socket.destroyed;
  }

  /** Resolves when the socket closes (server-side or ours). */
  closed(): Promise<void> {
    return this.closedPromise;
  }

  /** Sends DISCONNECT and closes. */
  async end(): Promise<void> {
    if (this.socket.destroyed) return;
    const closed = this.closed();
    this.socket.end(mqttPacket.generate({ cmd: 'disconnect' }));
    const timer = setTimeout(() => this.socket.destroy(), 2000);
    await closed;
    clearTimeout(timer);
  }

  /** Drops the socket without DISCONNECT, as a network failure would. */
  destroy(): void {
    this.socket.destroy();
  }

  private send(packet: Packet): void {
    if (!this.socket.destroyed) this.socket.write(mqttPacket.generate(packet));
  }

  private takeMessageId(): number {
    const id = this.nextMessageId;
    this.nextMessageId = id >= 65535 ? 1 : id + 1;
    return id;
  }

  private listen(): void {
    const parser = mqttPacket.parser({ protocolVersion: 4 });
    parser.on('packet', (packet: Packet) => this.dispatch(packet));
    parser.on('error', () => this.socket.destroy());
    this.socket.on('data', (chunk: Buffer) => parser.parse(chunk));
  }

  private dispatch(packet: Packet): void {
    switch (packet.cmd) {
      case 'connack':
        this.settle(0, packet);
        break;
      case 'suback':
        this.settle(packet.messageId ?? -1, packet);
        break;
      case 'publish':
        if (packet.qos === 1 && packet.messageId !== undefined) this.send({ cmd: 'puback', messageId: packet.messageId });
        this.onMessage(packet.topic, Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload));
        break;
      default:
        break;
    }
  }

  private settle(messageId: number, packet: Packet): void {
    const waiter = this.pending.get(messageId);
    this.pending.delete(messageId);
    waiter?.(packet);
  }
}
