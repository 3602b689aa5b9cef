import type { TwinHistoryEntry } from '../../../emulator/model/twin-history.js';
import type { TrafficEventDto } from '../../../main/contract/index.js';

// The exchange as a sequence diagram: lanes for the back end (service SDKs, REST, the studio), the hub and the
// device, with one arrow per wire event (from the traffic view) and one per twin version (from the change log).
// Repeated telemetry collapses into one arrow with a count, so a chatty device stays readable.

/** A lane of the diagram. */
export type Lane = 'backend' | 'hub' | 'device';

/** One arrow (or a hub note, when `from === to`). */
export interface Arrow {
  readonly key: string;
  readonly time: string;
  readonly from: Lane;
  readonly to: Lane;
  readonly label: string;
  readonly kind: string;
  /** What to show when the arrow is clicked: topic, status, payload. */
  readonly detail: { readonly title: string; readonly payload: string; readonly status?: number };
  /** Arrows collapsed into this one (repeated telemetry). */
  readonly count: number;
}

/** Arrows for one device (all devices when `deviceId` is empty), oldest first, at most `limit` (the newest). */
export function buildSequence(events: readonly TrafficEventDto[], history: readonly TwinHistoryEntry[], deviceId: string, limit = 200): Arrow[] {
  const items: { time: string; order: number; arrow: Arrow }[] = [];
  for (const event of events) {
    if (deviceId && event.deviceId !== deviceId) continue;
    if (event.kind === 'subscribe' || event.kind === 'other') continue;
    items.push({ time: event.time, order: event.id * 2, arrow: arrowOfEvent(event) });
  }
  for (const entry of history) items.push({ time: entry.time, order: Number.MAX_SAFE_INTEGER - 1, arrow: arrowOfEntry(entry) });
  items.sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : a.order - b.order));
  return collapse(items.map((item) => item.arrow)).slice(-limit);
}

function arrowOfEvent(event: TrafficEventDto): Arrow {
  const service = event.protocol === 'http' && event.kind === 'rest';
  const outside: Lane = service ? 'backend' : 'device';
  const from = event.direction === 'in' ? outside : 'hub';
  const to = event.direction === 'in' ? 'hub' : outside;
  const who = event.moduleId ? `${event.deviceId ?? ''}/${event.moduleId}` : (event.deviceId ?? '');
  return {
    key: `e${event.id}`,
    time: event.time,
    from,
    to,
    kind: event.kind,
    label: labelOf(event),
    detail: { title: `${event.time} · ${event.protocol.toUpperCase()} ${event.direction === 'in' ? 'to the hub' : 'from the hub'} · ${who} · ${event.topic}`, payload: event.payload, ...(event.status === undefined ? {} : { status: event.status }) },
    count: 1,
  };
}

function arrowOfEntry(entry: TwinHistoryEntry): Arrow {
  const kind = entry.writer.split(':')[0] ?? '';
  const sections = (['tags', 'desired', 'reported'] as const).filter((part) => entry.changes[part]);
  const versions = `${sections.includes('desired') ? ` · desired $version ${entry.desiredVersion}` : ''}${sections.includes('reported') ? ` · reported $version ${entry.reportedVersion}` : ''}`;
  // Writes without wire traffic of their own (studio, jobs, configurations) come from the back-end lane.
  const inProcess = kind === 'studio' || kind === 'job' || kind === 'configuration';
  return {
    key: `v${entry.version}-${entry.time}`,
    time: entry.time,
    from: inProcess ? 'backend' : 'hub',
    to: 'hub',
    kind: 'version',
    label: `${inProcess ? `${entry.writer}: ` : ''}twin version ${entry.version} (${sections.join(' + ')})${versions}`,
    detail: { title: `${entry.time} · twin version ${entry.version} written by ${entry.writer}`, payload: JSON.stringify(entry.changes, null, 2) },
    count: 1,
  };
}

/** A short label for a wire event: what it is, `$rid`, status, `$version`. */
export function labelOf(event: TrafficEventDto): string {
  const topic = event.topic;
  const version = /[?&]\$version=(\d+)/.exec(topic)?.[1];
  // SDK `$rid`s are UUIDs: the label shows their start, the details the whole topic.
  const rid = event.rid === undefined ? '' : ` $rid=${event.rid.length > 10 ? `${event.rid.slice(0, 8)}…` : event.rid}`;
  const suffix = `${rid}${version ? ` $version=${version}` : ''}`;
  let what: string;
  if (topic.startsWith('$iothub/twin/PATCH/properties/reported')) what = 'PATCH reported';
  else if (topic.startsWith('$iothub/twin/PATCH/properties/desired')) what = 'desired notification';
  else if (topic.startsWith('$iothub/twin/GET')) what = 'GET twin';
  else if (topic.startsWith('$iothub/twin/res/')) what = `${event.status ?? topic.split('/')[3]} response`;
  else if (topic.startsWith('$iothub/methods/POST/')) what = `method ${topic.split('/')[3] ?? ''}`;
  else if (topic.startsWith('$iothub/methods/res/')) what = `method reply ${event.status ?? topic.split('/')[3]}`;
  else if (event.kind === 'telemetry') what = 'telemetry';
  else if (event.kind === 'c2d') what = event.direction === 'out' ? 'C2D message' : 'C2D settled';
  else if (event.kind === 'connect') what = 'CONNECT';
  else if (event.kind === 'disconnect') what = 'DISCONNECT';
  else what = event.status === undefined ? topic : `${event.status} ${topic}`;
  return `${what}${suffix}`.slice(0, 120);
}

/** Consecutive telemetry arrows of one direction become one arrow with a count. */
function collapse(arrows: readonly Arrow[]): Arrow[] {
  const result: Arrow[] = [];
  for (const arrow of arrows) {
    const last = result.at(-1);
    if (last && arrow.kind === 'telemetry' && last.kind === 'telemetry' && last.from === arrow.from && last.to === arrow.to) {
      result[result.length - 1] = { ...arrow, key: last.key, count: last.count + arrow.count, label: `telemetry ×${last.count + arrow.count}` };
    } else result.push(arrow);
  }
  return result;
}
