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
    if (isRestExchange(event)) {
      // One REST event holds a whole call: its request goes at the time it arrived (before what the hub did for it,
      // e.g. a direct method's round trip to the device), its reply at the time it was sent.
      items.push({ time: event.startTime ?? event.time, order: 0, arrow: restRequestArrow(event) });
      items.push({ time: event.time, order: Number.MAX_SAFE_INTEGER, arrow: arrowOfEvent(event, 'out') });
      continue;
    }
    items.push({ time: event.time, order: event.id * 2, arrow: arrowOfEvent(event, event.direction) });
  }
  for (const entry of history) items.push({ time: entry.time, order: Number.MAX_SAFE_INTEGER - 1, arrow: arrowOfEntry(entry) });
  items.sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : a.order - b.order));
  return collapse(items.map((item) => item.arrow)).slice(-limit);
}

/** A service REST call as the tap records it: one incoming event with the reply's status. */
function isRestExchange(event: TrafficEventDto): boolean {
  return event.protocol === 'http' && event.kind === 'rest' && event.direction === 'in' && event.status !== undefined;
}

/** The lane at the far end of an event: the back end for REST calls and C2D senders/feedback, else the device. */
function outsideOf(event: TrafficEventDto): Lane {
  return (event.protocol === 'http' && event.kind === 'rest') || event.backEnd !== undefined ? 'backend' : 'device';
}

function restRequestArrow(event: TrafficEventDto): Arrow {
  return {
    key: `e${event.id}q`,
    time: event.startTime ?? event.time,
    from: 'backend',
    to: 'hub',
    kind: event.kind,
    label: event.topic.slice(0, 120),
    detail: { title: `${event.startTime ?? event.time} · HTTP to the hub · ${whoOf(event)} · ${event.topic}`, payload: event.payload },
    count: 1,
  };
}

function arrowOfEvent(event: TrafficEventDto, direction: 'in' | 'out'): Arrow {
  const outside = outsideOf(event);
  return {
    key: `e${event.id}`,
    time: event.time,
    from: direction === 'in' ? outside : 'hub',
    to: direction === 'in' ? 'hub' : outside,
    kind: event.kind,
    label: labelOf(event),
    detail: { title: `${event.time} · ${event.protocol.toUpperCase()} ${direction === 'in' ? 'to the hub' : 'from the hub'} · ${whoOf(event)} · ${event.topic}`, payload: event.payload, ...(event.status === undefined ? {} : { status: event.status }) },
    count: 1,
  };
}

function whoOf(event: TrafficEventDto): string {
  return event.moduleId ? `${event.deviceId ?? ''}/${event.moduleId}` : (event.deviceId ?? '');
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
  // C2D events carry a lock token or message id as their `rid`; only twin and method `$rid`s belong in a label.
  const rid = event.rid === undefined || event.kind === 'c2d' ? '' : ` $rid=${event.rid.length > 10 ? `${event.rid.slice(0, 8)}…` : event.rid}`;
  const suffix = `${rid}${version ? ` $version=${version}` : ''}`;
  let what: string;
  if (topic.startsWith('$iothub/twin/PATCH/properties/reported')) what = 'PATCH reported';
  else if (topic.startsWith('$iothub/twin/PATCH/properties/desired')) what = 'desired notification';
  else if (topic.startsWith('$iothub/twin/GET')) what = 'GET twin';
  else if (topic.startsWith('$iothub/twin/res/')) what = `${event.status ?? topic.split('/')[3]} response`;
  else if (topic.startsWith('$iothub/methods/POST/')) what = `method ${topic.split('/')[3] ?? ''}`;
  else if (topic.startsWith('$iothub/methods/res/')) what = `method reply ${event.status ?? topic.split('/')[3]}`;
  else if (event.kind === 'method' && event.backEnd !== undefined) what = event.direction === 'in' ? `${event.backEnd}: method ${topic.replace(/^invoke /, '')}` : `method result ${event.status ?? 'failed'}`;
  else if (event.kind === 'method' && event.protocol === 'amqp') what = event.direction === 'out' ? topic : `method reply ${event.status ?? '?'}`;
  else if (event.kind === 'telemetry') what = 'telemetry';
  else if (event.kind === 'c2d') what = c2dLabel(event);
  else if (event.kind === 'connect') what = 'CONNECT';
  else if (event.kind === 'disconnect') what = 'DISCONNECT';
  else what = event.status === undefined ? topic : `${event.status} ${topic}`;
  return `${what}${suffix}`.slice(0, 120);
}

/**
 * C2D in its three steps: queued (a back end → hub), delivered (hub → device, over MQTT, AMQP or an HTTPS receive),
 * settled (device → hub: completed, rejected or abandoned), and the feedback the hub sends when the sender asked.
 */
function c2dLabel(event: TrafficEventDto): string {
  const topic = event.topic;
  if (event.backEnd !== undefined) {
    if (event.direction === 'out') return `C2D feedback ${topic.split(' ')[1] ?? ''}`.trimEnd();
    if (!topic.startsWith('queued ')) return `C2D send refused`;
    return `C2D queued by ${event.backEnd === 'service' ? 'the service' : 'the studio'}`;
  }
  if (event.direction === 'out') return `C2D delivered${event.protocol === 'http' ? ' (HTTPS receive)' : ''}`;
  if (event.protocol === 'http') {
    if (topic.startsWith('GET ')) return event.status === 204 ? 'C2D receive: queue empty' : `C2D receive ${event.status ?? ''}`.trimEnd();
    if (topic.endsWith('/abandon')) return 'C2D abandoned';
    if (topic.startsWith('DELETE ')) return topic.endsWith('?reject') ? 'C2D rejected' : 'C2D completed';
  }
  const outcome = topic.split(' ')[0];
  if (outcome === 'PUBACK' || outcome === 'accepted') return 'C2D completed';
  if (outcome === 'rejected') return 'C2D rejected';
  if (outcome === 'released') return 'C2D abandoned';
  return 'C2D settled';
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
