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

/** Twin and method exchanges carry `$rid`; a response is the event with a status (`…/res/<status>/?$rid=`). */
function pairKey(event: TrafficEventDto): string | undefined {
  if (event.rid === undefined || (event.kind !== 'twin' && event.kind !== 'method')) return undefined;
  return `${event.deviceId ?? ''}\u0000${event.moduleId ?? ''}\u0000${event.kind}\u0000${event.rid}`;
}

function isResponse(event: TrafficEventDto): boolean {
  return event.status !== undefined;
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

  constructor(private readonly limits: TrafficBufferLimits = DEFAULT_LIMITS) {}

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
  readonly protocol: '' | TrafficEventDto['protocol'];
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
  if (filter.protocol && event.protocol !== filter.protocol) return false;
  if (filter.text) {
    const needle = filter.text.toLowerCase();
    const haystack = `${event.topic}\n${event.payload}\n${row.response?.topic ?? ''}\n${row.response?.payload ?? ''}`.toLowerCase();
    if (!haystack.includes(needle)) return false;
  }
  return true;
}

/**
 * How the traffic view names a protocol. The tap records MQTT over WebSockets as `mqtt` (same MQTT session, other
 * socket), so MQTT and MQTT-WS share a label.
 */
export const PROTOCOL_LABELS: Readonly<Record<TrafficEventDto['protocol'], string>> = { mqtt: 'MQTT', http: 'HTTPS', amqp: 'AMQP' };

/**
 * The protocol `deviceId` itself last used, from the newest row back, or undefined. Only device-originated events
 * count: every MQTT event, and HTTPS events that are not service REST calls. AMQP events are service-side C2D sends
 * until the hub serves device AMQP, so they are skipped.
 */
export function lastDeviceProtocol(rows: readonly TrafficRow[], deviceId: string): TrafficEventDto['protocol'] | undefined {
  for (let i = rows.length - 1; i >= 0; i -= 1) {
    const event = rows[i]?.request;
    if (!event || event.deviceId !== deviceId) continue;
    if (event.protocol === 'mqtt' || (event.protocol === 'http' && event.kind !== 'rest')) return event.protocol;
  }
  return undefined;
}

/** The events of `rows` as an export document (requests and responses, in order). */
export function exportRows(rows: readonly TrafficRow[]): { exportedAt: string; events: TrafficEventDto[] } {
  const events = rows.flatMap((row) => (row.response ? [row.request, row.response] : [row.request]));
  return { exportedAt: new Date().toISOString(), events };
}
