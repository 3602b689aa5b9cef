import type { TrafficEventDto } from '../../../main/contract/index.js';

/** One line of the traffic view: a request with its response (same `$rid`), or a single event. */
export interface TrafficRow {
  readonly key: number;
  readonly request: TrafficEventDto;
  response?: TrafficEventDto;
  /** Milliseconds between request and response. */
  latencyMs?: number;
}

/** Limits of the renderer-side buffer (house-style H16: bounded at every hop). */
export interface TrafficBufferLimits {
  readonly maxRows: number;
  /** Sum of payload preview characters kept. */
  readonly maxPayloadChars: number;
}

const DEFAULT_LIMITS: TrafficBufferLimits = { maxRows: 5000, maxPayloadChars: 4 * 1024 * 1024 };

/**
 * Twin and method exchanges carry `$rid` (MQTT) or the correlation id (AMQP); device C2D deliveries over AMQP and
 * HTTPS carry the lock token.
 */
function pairKey(event: TrafficEventDto): string | undefined {
  if (event.rid === undefined || (event.kind !== 'twin' && event.kind !== 'method' && event.kind !== 'c2d')) return undefined;
  return `${event.deviceId ?? ''}\u0000${event.moduleId ?? ''}\u0000${event.kind}\u0000${event.rid}`;
}

/**
 * The answer of a pair: for twin and method exchanges the event with a status (`…/res/<status>/`, the AMQP reply); for
 * C2D the device's settlement (complete / reject / abandon, in) of the delivery the hub sent (out), paired by lock token.
 */
function isResponse(event: TrafficEventDto): boolean {
  return event.kind === 'c2d' ? event.direction === 'in' : event.status !== undefined;
}

/**
 * A bounded ring of traffic rows that pairs each twin/method request with its response by `$rid` (per device
 * and kind, because `$rid`s are only unique per connection). Oldest rows go first when a limit is reached.
 */
export class TrafficBuffer {
  private rows: TrafficRow[] = [];
  private readonly pending = new Map<string, TrafficRow>();
  private chars = 0;
  private nextKey = 1;
  private version = 0;

  constructor(private limits: TrafficBufferLimits = DEFAULT_LIMITS) {}

  /** The most rows kept. */
  get maxRows(): number {
    return this.limits.maxRows;
  }

  /** Keeps at most `maxRows` rows (and about 800 preview characters a row); drops the oldest beyond. */
  setMaxRows(maxRows: number): void {
    this.limits = { maxRows, maxPayloadChars: Math.max(DEFAULT_LIMITS.maxPayloadChars, maxRows * 800) };
    this.evict();
    this.version += 1;
  }

  /** Changes whenever rows change (for memoised views). */
  get revision(): number {
    return this.version;
  }

  /** Adds events in arrival order. */
  add(events: readonly TrafficEventDto[]): void {
    for (const event of events) this.addOne(event);
    this.evict();
    this.version += 1;
  }

  /** All rows, oldest first. */
  all(): readonly TrafficRow[] {
    return this.rows;
  }

  clear(): void {
    this.rows = [];
    this.pending.clear();
    this.chars = 0;
    this.version += 1;
  }

  private addOne(event: TrafficEventDto): void {
    const key = pairKey(event);
    this.chars += event.payload.length;
    if (key !== undefined && isResponse(event)) {
      const request = this.pending.get(key);
      if (request) {
        this.pending.delete(key);
        request.response = event;
        request.latencyMs = Date.parse(event.time) - Date.parse(request.request.time);
        return;
      }
    }
    const row: TrafficRow = { key: this.nextKey++, request: event };
    this.rows.push(row);
    if (key !== undefined && !isResponse(event)) this.pending.set(key, row);
  }

  private evict(): void {
    let drop = 0;
    while (drop < this.rows.length && (this.rows.length - drop > this.limits.maxRows || this.chars > this.limits.maxPayloadChars)) {
      const row = this.rows[drop] as TrafficRow;
      this.chars -= row.request.payload.length + (row.response?.payload.length ?? 0);
      const key = pairKey(row.request);
      if (key !== undefined && this.pending.get(key) === row) this.pending.delete(key);
      drop += 1;
    }
    if (drop > 0) this.rows = this.rows.slice(drop);
  }
}

/** What the view filters on. */
export interface TrafficFilter {
  readonly deviceId: string;
  readonly direction: '' | 'in' | 'out';
  readonly kind: '' | TrafficEventDto['kind'];
  readonly protocol: '' | TrafficTransport;
  readonly text: string;
}

/** An empty filter (everything shown). */
export const NO_FILTER: TrafficFilter = { deviceId: '', direction: '', kind: '', protocol: '', text: '' };

/** True when the row matches every set part of the filter (a pair matches on its request). */
export function matchesFilter(row: TrafficRow, filter: TrafficFilter): boolean {
  const event = row.request;
  if (filter.deviceId && event.deviceId !== filter.deviceId) return false;
  if (filter.direction && event.direction !== filter.direction) return false;
  if (filter.kind && event.kind !== filter.kind) return false;
  if (filter.protocol && transportOf(event) !== filter.protocol) return false;
  if (filter.text) {
    const needle = filter.text.toLowerCase();
    const haystack = `${event.topic}\n${event.payload}\n${row.response?.topic ?? ''}\n${row.response?.payload ?? ''}`.toLowerCase();
    if (!haystack.includes(needle)) return false;
  }
  return true;
}

/** The wire an event ran on: the protocol, and for MQTT and AMQP whether it was over WebSockets. */
export type TrafficTransport = 'mqtt' | 'mqtt-ws' | 'amqp' | 'amqp-ws' | 'http' | 'hub';

/** Every transport, in the order the filter lists them. */
export const TRAFFIC_TRANSPORTS: readonly TrafficTransport[] = ['mqtt', 'mqtt-ws', 'amqp', 'amqp-ws', 'http', 'hub'];

/** How the studio names a transport. */
export const TRANSPORT_LABELS: Readonly<Record<TrafficTransport, string>> = { mqtt: 'MQTT', 'mqtt-ws': 'MQTT-WS', amqp: 'AMQP', 'amqp-ws': 'AMQP-WS', http: 'HTTPS', hub: 'Hub' };

/** The transport of one event. */
export function transportOf(event: TrafficEventDto): TrafficTransport {
  if (event.protocol === 'http' || event.protocol === 'hub') return event.protocol;
  return event.webSocket === true ? (`${event.protocol}-ws` as const) : event.protocol;
}

/**
 * The transport `deviceId` itself last used, from the newest row back, or undefined. Only device-originated events
 * count: MQTT events, device HTTPS events (not service REST calls), and AMQP events of device links (not a service's
 * C2D send, which is an incoming AMQP C2D event without a lock token).
 */
export function lastDeviceProtocol(rows: readonly TrafficRow[], deviceId: string): TrafficTransport | undefined {
  for (let i = rows.length - 1; i >= 0; i -= 1) {
    const event = rows[i]?.request;
    if (!event || event.deviceId !== deviceId) continue;
    // An injected fault is the hub's doing, not the device's.
    if (event.kind === 'fault') continue;
    if (event.protocol === 'http' && event.kind === 'rest') continue;
    if (event.backEnd !== undefined) continue;
    if (event.protocol === 'amqp' && event.kind === 'c2d' && event.direction === 'in' && event.rid === undefined) continue;
    return transportOf(event);
  }
  return undefined;
}

/** The events of `rows` as an export document (requests and responses, in order). */
export function exportRows(rows: readonly TrafficRow[]): { exportedAt: string; events: TrafficEventDto[] } {
  const events = rows.flatMap((row) => (row.response ? [row.request, row.response] : [row.request]));
  return { exportedAt: new Date().toISOString(), events };
}
