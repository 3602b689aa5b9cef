import type { TrafficRow } from './traffic-buffer.js';

/** The kinds the group view counts apart; everything else is `other`. */
export const GROUP_KINDS = ['telemetry', 'twin', 'method', 'c2d'] as const;

/** One device's share of the traffic in the buffer. */
export interface DeviceGroup {
  /** The device id, or `''` for traffic of no device (service REST calls, hub events). */
  readonly deviceId: string;
  /** Messages in the buffer (a paired request and response are two). */
  readonly total: number;
  /** Messages in the last `windowMs`. */
  readonly recent: number;
  /** `recent` per second, one decimal. */
  readonly perSecond: number;
  /** Messages device → hub and hub → device. */
  readonly in: number;
  readonly out: number;
  /** Rows per kind (`other` for the rest). */
  readonly kinds: Readonly<Record<(typeof GROUP_KINDS)[number] | 'other', number>>;
  /** The newest row of the device. */
  readonly last: TrafficRow;
}

interface Tally {
  deviceId: string;
  total: number;
  recent: number;
  in: number;
  out: number;
  kinds: Record<(typeof GROUP_KINDS)[number] | 'other', number>;
  last: TrafficRow;
}

function kindOf(kind: string): (typeof GROUP_KINDS)[number] | 'other' {
  return (GROUP_KINDS as readonly string[]).includes(kind) ? (kind as (typeof GROUP_KINDS)[number]) : 'other';
}

/**
 * The rows grouped per device in one pass: counts in the buffer and rates over the last `windowMs` (by the request's
 * time; ISO times compare as strings). Sorted by device id, so a live table keeps its order; traffic of no device last.
 */
export function groupByDevice(rows: readonly TrafficRow[], windowMs: number, now: number): DeviceGroup[] {
  const since = new Date(now - windowMs).toISOString();
  const tallies = new Map<string, Tally>();
  for (const row of rows) {
    const { request, response } = row;
    const deviceId = request.deviceId ?? '';
    let tally = tallies.get(deviceId);
    if (!tally) {
      tally = { deviceId, total: 0, recent: 0, in: 0, out: 0, kinds: { telemetry: 0, twin: 0, method: 0, c2d: 0, other: 0 }, last: row };
      tallies.set(deviceId, tally);
    }
    const messages = response ? 2 : 1;
    tally.total += messages;
    if (request.time >= since) tally.recent += messages;
    tally[request.direction] += 1;
    if (response) tally[response.direction] += 1;
    tally.kinds[kindOf(request.kind)] += 1;
    if (request.time >= tally.last.request.time) tally.last = row;
  }
  const seconds = windowMs / 1000;
  return [...tallies.values()]
    .map((tally) => ({ ...tally, perSecond: Math.round((tally.recent / seconds) * 10) / 10 }))
    .sort((a, b) => (a.deviceId === '' ? 1 : b.deviceId === '' ? -1 : a.deviceId < b.deviceId ? -1 : a.deviceId > b.deviceId ? 1 : 0));
}

/** The groups busiest first (by rate, then by messages in the buffer, then by id). */
export function byRate(groups: readonly DeviceGroup[]): DeviceGroup[] {
  return [...groups].sort((a, b) => b.perSecond - a.perSecond || b.total - a.total || (a.deviceId < b.deviceId ? -1 : 1));
}
