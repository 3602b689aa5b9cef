import { Redis } from 'ioredis';
import { z } from 'zod';

import type { Logger } from '../logger.js';
import type { HubEvent, HubEventInput, HubEventProperties } from '../model/hub-event.js';
import type { EventLogPort } from '../services/event-hub-service.js';
import { dictionary } from '../util/own-keys.js';

/** Stream entries read per XREAD. */
const READ_COUNT = 256;
/** How long one XREAD blocks before the loop asks again (and notices a close). */
const BLOCK_MS = 2000;
/** Events per relay stream entry at most (the events appended in one event-loop turn share entries). */
const EVENTS_PER_ENTRY = 500;
/** Stream entries kept (approximately: `MAXLEN ~`); a node further behind misses the older ones. */
export const RELAY_STREAM_LENGTH = 100_000;

/**
 * Events every node produces for itself and so never relays: twin change events are routed by each node from the
 * committed batches it applies (docs/cluster.md).
 */
const EVERY_NODE_SOURCES = new Set(['twinChangeEvents']);

const text = z.string().max(1_000_000);
const EVENT = z.object({
  partition: z.number().int().min(0).max(1023),
  enqueuedTime: z.number().int(),
  body: z.string().max(8 * 1024 * 1024),
  properties: z.object({
    messageId: text.optional(), correlationId: text.optional(), userId: text.optional(), contentType: text.optional(),
    contentEncoding: text.optional(), absoluteExpiryTime: text.optional(),
  }),
  annotations: z.record(z.string().max(1024), text),
  application: z.record(z.string().max(1024), text.nullable()),
});

type StreamEntry = [string, string[]];

/** Options of {@link ClusterEventRelay}. */
export interface ClusterEventRelayOptions {
  readonly url: string;
  /** The hub's key prefix: the stream is `{<prefix>}:events`. */
  readonly prefix: string;
  readonly nodeId: string;
  readonly logger: Logger;
}

/**
 * The built-in Event Hub-compatible endpoint of a cluster node, made cluster-wide (docs/cluster.md): the node's own
 * event log (`<data-dir>/events-<node>/`) keeps serving its consumers; every event this node alone produces
 * (telemetry of its devices, connection and lifecycle events it routes) is appended there first, durably, as on one
 * hub, and then added to the Redis stream `{prefix}:events`; each node reads that stream and appends the other
 * nodes' events to its own log. A consumer on any node so sees the telemetry of every node's devices, with that
 * node's own sequence numbers and offsets (each node numbers its log itself).
 */
export class ClusterEventRelay implements EventLogPort {
  private readonly writer: Redis;
  private readonly reader: Redis;
  private readonly key: string;
  private lastId = '0-0';
  /** Events waiting for the end of this event-loop turn, to go as one stream entry. */
  private outbox: HubEventInput[] = [];
  private reading: Promise<void> | undefined;
  private closed = false;
  private counters = { relayed: 0, received: 0, skipped: 0 };

  constructor(
    private readonly local: EventLogPort,
    private readonly options: ClusterEventRelayOptions,
  ) {
    this.key = `{${options.prefix}}:events`;
    const connection = { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 5000 };
    // Every append adds one entry: pipelined by ioredis, one round trip carries many.
    this.writer = new Redis(options.url, { ...connection, enableAutoPipelining: true });
    this.reader = new Redis(options.url, connection);
    for (const client of [this.writer, this.reader]) client.on('error', (error: Error) => options.logger.debug(`cluster events: ${error.message}`));
  }

  get partitionCount(): number {
    return this.local.partitionCount;
  }

  /** Events relayed to the other nodes, received from them, and stream entries skipped as malformed. */
  get stats(): { relayed: number; received: number; skipped: number } {
    return { ...this.counters };
  }

  /** Connects and starts following the stream from its current end (older events are in the nodes' own logs). */
  async start(): Promise<void> {
    await this.writer.connect();
    await this.reader.connect();
    const last = (await this.writer.xrevrange(this.key, '+', '-', 'COUNT', 1)) as StreamEntry[];
    this.lastId = last[0]?.[0] ?? '0-0';
    this.reading = this.readForever();
  }

  /** Appends to this node's log (durable when it resolves), then relays what only this node produced. */
  async append(inputs: readonly HubEventInput[]): Promise<HubEvent[]> {
    const events = await this.local.append(inputs);
    const relayed = inputs.filter((input) => !EVERY_NODE_SOURCES.has(input.annotations['iothub-message-source'] ?? ''));
    if (relayed.length > 0 && !this.closed) {
      if (this.outbox.length === 0) setImmediate(() => this.flush());
      this.outbox.push(...relayed);
    }
    return events;
  }

  /** Adds the events of this turn to the stream, up to `EVENTS_PER_ENTRY` per entry. */
  private flush(): void {
    const events = this.outbox;
    this.outbox = [];
    for (let start = 0; start < events.length; start += EVENTS_PER_ENTRY) {
      const chunk = events.slice(start, start + EVENTS_PER_ENTRY);
      this.counters.relayed += chunk.length;
      this.writer
        .xadd(this.key, 'MAXLEN', '~', RELAY_STREAM_LENGTH, '*', 'node', this.options.nodeId, 'events', JSON.stringify(chunk))
        .catch((error: unknown) => this.options.logger.warn(`cluster events: could not relay ${chunk.length} event(s): ${(error as Error).message}`));
    }
  }

  events(partition: number): readonly HubEvent[] {
    return this.local.events(partition);
  }

  state(partition: number): ReturnType<EventLogPort['state']> {
    return this.local.state(partition);
  }

  onAppended(listener: (events: readonly HubEvent[]) => void): () => void {
    return this.local.onAppended(listener);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    this.reader.disconnect();
    await Promise.race([this.reading, new Promise((resolve) => setTimeout(resolve, BLOCK_MS).unref())]);
    if (this.writer.status === 'ready') await this.writer.quit().catch(() => undefined);
    this.writer.disconnect();
  }

  private async readForever(): Promise<void> {
    while (!this.closed) {
      let reply: [string, StreamEntry[]][] | null;
      try {
        reply = (await this.reader.xread('COUNT', READ_COUNT, 'BLOCK', BLOCK_MS, 'STREAMS', this.key, this.lastId)) as [string, StreamEntry[]][] | null;
      } catch (error) {
        if (this.closed) return;
        this.options.logger.warn(`cluster events: reading the relay stream failed: ${(error as Error).message}`);
        await new Promise((resolve) => setTimeout(resolve, 250));
        continue;
      }
      for (const [id, fields] of reply?.[0]?.[1] ?? []) {
        this.lastId = id;
        if (field(fields, 'node') === this.options.nodeId) continue;
        const inputs = parseEvents(field(fields, 'events'), this.local.partitionCount);
        if (!inputs) {
          this.counters.skipped += 1;
          this.options.logger.warn(`cluster events: skipped relay stream entry ${id}: it is not a list of events`);
          continue;
        }
        try {
          await this.local.append(inputs);
          this.counters.received += inputs.length;
        } catch (error) {
          if (this.closed) return;
          this.options.logger.warn(`cluster events: could not append ${inputs.length} relayed event(s): ${(error as Error).message}`);
        }
      }
    }
  }
}

/** The relayed events of one stream entry, as null-prototype records; undefined when it is not a list of events. */
function parseEvents(json: string | undefined, partitions: number): HubEventInput[] | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json ?? '');
  } catch {
    return undefined;
  }
  if (!Array.isArray(parsed) || parsed.length > 10_000) return undefined;
  const inputs: HubEventInput[] = [];
  for (const item of parsed) {
    const checked = EVENT.safeParse(item);
    if (!checked.success || checked.data.partition >= partitions) return undefined;
    const { partition, enqueuedTime, body, properties } = checked.data;
    // The maps are copied from the parsed JSON's own keys (a `__proto__` key stays data), values checked above.
    const raw = item as { annotations: Record<string, string>; application: Record<string, string | null> };
    const annotations = dictionary<string>();
    for (const [key, value] of Object.entries(raw.annotations)) annotations[key] = String(value);
    const application = dictionary<string | null>();
    for (const [key, value] of Object.entries(raw.application)) application[key] = value === null ? null : String(value);
    inputs.push({ partition, enqueuedTime, body, properties: withoutUndefined(properties), annotations, application });
  }
  return inputs;
}

function withoutUndefined(properties: HubEventProperties): HubEventProperties {
  const copy: Record<string, string> = {};
  for (const [key, value] of Object.entries(properties)) if (typeof value === 'string') copy[key] = value;
  return copy;
}

function field(fields: readonly string[], name: string): string | undefined {
  for (let i = 0; i + 1 < fields.length; i += 2) if (fields[i] === name) return fields[i + 1];
  return undefined;
}
