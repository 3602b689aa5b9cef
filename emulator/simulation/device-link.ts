import { randomUUID } from 'node:crypto';

import type { MqttClient } from 'mqtt';

import { parseDevicePayload } from '../client-kit.js';
import type { JsonObject, JsonValue } from '../model/json.js';
import { isJsonObject } from '../model/json.js';
import type { Clock } from '../util/clock.js';
import { connectClient, endClient } from './link-connect.js';
import * as topics from './link-topics.js';
import { PendingRequests } from './pending-requests.js';

// Why MQTT.js and not the azure-iot-device SDK for simulated devices and the load generator:
// - Cost per device. The SDK stacks a Client, an InternalClient, a retry policy, machina state machines for the
//   transport and the twin, and its own bundled MQTT.js 4 client per device. The load generator must hold 10,000
//   devices on 2 cores in one process next to the hub; one bare MQTT.js 5 client per device keeps the per-device
//   memory and timers to a minimum, and gives us latency measured at the packet (no retry policy hiding errors).
// - Control. Simulations must fail on purpose (drop the socket without DISCONNECT) and report errors as they are;
//   the SDK retries and reconnects on its own, and never times out a twin request (sdk-notes.md §6.3).
// - Fidelity is kept by speaking exactly the Node SDK's wire dialect (sdk-notes.md §3): MQTT 3.1.1 over TLS,
//   clientId = deviceId, username `<host>/<id>/?api-version=2021-04-12&DeviceClientType=…`, SAS without `skn`
//   valid 1 h and renewed as DISCONNECT + CONNECT 15 min before expiry, clean=false, keepalive 180 s, twin requests
//   QoS 0 with uuid `$rid`, telemetry QoS 1 with a `%24.`-encoded property bag. The hub's own tests cover the real
//   SDK; the simulations are ordinary MQTT devices on top of the same gateway.

/** Where and as whom a link connects. */
export interface DeviceLinkOptions {
  /** TCP/TLS target host and port. */
  readonly host: string;
  readonly port: number;
  /** Hub host name used in the username, the SAS `sr` and as TLS server name. */
  readonly hostName: string;
  readonly deviceId: string;
  /** Base64 device key (primary or secondary). */
  readonly sharedAccessKey: string;
  /** CA certificate(s) to trust, PEM. */
  readonly ca?: string | Buffer;
  /** IoT Plug and Play model id announced in the username (`&model-id=`). */
  readonly modelId?: string;
  /** Subscribe to desired patches / method requests (twin responses always). */
  readonly desired?: boolean;
  readonly methods?: boolean;
  /** Twin requests fail after this long without an answer (the SDK has no limit, §6.3; we do). Default 30 s. */
  readonly requestTimeoutMs?: number;
  /** Default 30 s. */
  readonly connectTimeoutMs?: number;
  /** SAS validity; renewed 15 min (or a quarter of the validity, whichever is smaller) before it runs out. */
  readonly tokenValidSeconds?: number;
  readonly clock?: Clock;
}

/** A direct-method request as the device sees it. */
export interface MethodRequest {
  readonly name: string;
  readonly rid: string;
  /** Parsed JSON payload; the raw text when it is not JSON; null when empty. */
  readonly payload: JsonValue;
}

/** What the link tells its owner. */
export interface DeviceLinkHandlers {
  onDesired?(patch: JsonObject): void;
  onMethod?(request: MethodRequest): void;
  /** The connection ended without `close()`; not called for a token renewal. */
  onLost?(error: Error | undefined): void;
}

/** The device's own view of its twin (`$iothub/twin/GET` body, iothub-protocol.md §4.2). */
export interface DeviceTwinProperties {
  readonly desired: JsonObject;
  readonly reported: JsonObject;
}

const RENEWAL_MARGIN_SECONDS = 900;

/** One simulated device's MQTT/TLS connection to the hub, with request/response correlation by `$rid`. */
export class DeviceLink {
  private client: MqttClient;
  private readonly pending: PendingRequests;
  private renewalTimer: NodeJS.Timeout | undefined;
  private closing = false;
  /** The old client's close during a renewal is expected, not a lost connection. */
  private renewing = false;

  private constructor(
    private readonly options: DeviceLinkOptions,
    private readonly handlers: DeviceLinkHandlers,
    client: MqttClient,
  ) {
    this.client = client;
    this.pending = new PendingRequests(options.requestTimeoutMs ?? 30_000);
  }

  /** Connects (CONNACK) and subscribes (SUBACK) unless the hub restored the session; rejects on refusal. */
  static async open(options: DeviceLinkOptions, handlers: DeviceLinkHandlers = {}): Promise<DeviceLink> {
    const { client, sessionPresent } = await connectClient(options);
    const link = new DeviceLink(options, handlers, client);
    link.attach(client);
    try {
      if (!sessionPresent) await link.subscribe(client);
    } catch (error) {
      // Not a lost connection for the owner to react to: open() itself fails.
      link.closing = true;
      client.end(true);
      throw error;
    }
    link.scheduleRenewal();
    return link;
  }

  /** True while the MQTT connection is up. */
  get connected(): boolean {
    return this.client.connected;
  }

  /** GET twin → `{desired, reported}`. */
  async getTwin(): Promise<DeviceTwinProperties> {
    const rid = randomUUID();
    const answer = this.pending.add(rid);
    // The Node SDK sends one space as the GET body (sdk-notes.md §3).
    this.publish(topics.twinGetTopic(rid), ' ', 0, rid);
    const { payload } = await answer;
    const body: unknown = JSON.parse(payload.toString('utf8'));
    if (!isJsonObject(body)) throw new Error('twin GET answer is not a JSON object');
    return { desired: asObject(body.desired), reported: asObject(body.reported) };
  }

  /** Reported PATCH; resolves with the new reported `$version` from the `204` answer. */
  async patchReported(patch: JsonObject): Promise<number | undefined> {
    const rid = randomUUID();
    const answer = this.pending.add(rid);
    this.publish(topics.reportedPatchTopic(rid), JSON.stringify(patch), 0, rid);
    return (await answer).version;
  }

  /** Telemetry at QoS 1; resolves on PUBACK. */
  sendTelemetry(body: string | Buffer, options: topics.TelemetryOptions = {}): Promise<void> {
    return new Promise((resolve, reject) => {
      if (!this.client.connected) return reject(new Error('not connected'));
      this.client.publish(topics.telemetryTopic(this.options.deviceId, options), body, { qos: 1 }, (error) =>
        error ? reject(error) : resolve(),
      );
    });
  }

  /** Answers a direct method (QoS 0, like the SDK). */
  respondToMethod(rid: string, status: number, payload: JsonValue): void {
    if (!this.client.connected) return;
    this.client.publish(topics.methodResponseTopic(status, rid), JSON.stringify(payload), { qos: 0 });
  }

  /** Graceful: MQTT DISCONNECT, then the socket closes. */
  async close(): Promise<void> {
    this.closing = true;
    clearTimeout(this.renewalTimer);
    this.pending.rejectAll(new Error('link closed'));
    await endClient(this.client);
  }

  /** Abrupt: destroys the socket without DISCONNECT, as a network failure would. */
  drop(): void {
    this.closing = true;
    clearTimeout(this.renewalTimer);
    this.pending.rejectAll(new Error('link dropped'));
    this.client.stream.destroy();
    this.client.end(true);
  }

  private publish(topic: string, payload: string, qos: 0 | 1, rid: string): void {
    if (!this.client.connected) {
      this.pending.reject(rid, new Error('not connected'));
      return;
    }
    this.client.publish(topic, payload, { qos }, (error) => {
      if (error) this.pending.reject(rid, error);
    });
  }

  private subscribe(client: MqttClient): Promise<void> {
    const filters = [topics.TWIN_RESPONSES];
    if (this.options.desired) filters.push(topics.DESIRED_PATCHES);
    if (this.options.methods) filters.push(topics.METHOD_REQUESTS);
    return new Promise((resolve, reject) => {
      client.subscribe(filters, { qos: 0 }, (error, granted) => {
        if (error) return reject(error);
        const refused = (granted ?? []).filter((grant) => grant.qos === 128).map((grant) => grant.topic);
        if (refused.length > 0) return reject(new Error(`the hub refused the subscription to ${refused.join(', ')}`));
        resolve();
      });
    });
  }

  private attach(client: MqttClient): void {
    client.on('message', (topic, payload) => {
      if (client === this.client) this.onMessage(topic, payload);
    });
    client.on('close', () => {
      if (client !== this.client || this.closing || this.renewing) return;
      this.closing = true;
      clearTimeout(this.renewalTimer);
      this.pending.rejectAll(new Error('connection lost'));
      this.handlers.onLost?.(undefined);
    });
  }

  private onMessage(topic: string, payload: Buffer): void {
    const message = topics.parseHubTopic(topic);
    switch (message.kind) {
      case 'twinResponse':
        this.pending.settle(message.rid, message.status, payload, message.version);
        break;
      case 'desired': {
        const patch = parseDevicePayload(payload);
        if (isJsonObject(patch)) this.handlers.onDesired?.(patch);
        break;
      }
      case 'method':
        this.handlers.onMethod?.({ name: message.name, rid: message.rid, payload: parseDevicePayload(payload) });
        break;
      case 'other':
        break;
    }
  }

  /** SAS renewal is a DISCONNECT plus a new CONNECT on the same clean=false session (sdk-notes.md §6.2). */
  private scheduleRenewal(): void {
    const valid = this.options.tokenValidSeconds ?? 3600;
    const margin = Math.min(RENEWAL_MARGIN_SECONDS, Math.floor(valid / 4));
    this.renewalTimer = setTimeout(() => void this.renew(), (valid - margin) * 1000);
    this.renewalTimer.unref();
  }

  private async renew(): Promise<void> {
    const old = this.client;
    this.renewing = true;
    this.pending.rejectAll(new Error('SAS token renewal in progress'));
    try {
      await endClient(old);
      if (this.closing) return;
      const { client, sessionPresent } = await connectClient(this.options);
      if (this.closing) {
        client.end(true);
        return;
      }
      this.client = client;
      this.attach(client);
      if (!sessionPresent) await this.subscribe(client);
      this.scheduleRenewal();
    } catch (error) {
      if (this.closing) return;
      this.closing = true;
      this.handlers.onLost?.(error as Error);
    } finally {
      this.renewing = false;
    }
  }

}

function asObject(value: JsonValue | undefined): JsonObject {
  return isJsonObject(value) ? value : {};
}
