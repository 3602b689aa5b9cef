import type { TrafficEventDto } from '../../../main/contract/index.js';

function query(topic: string): URLSearchParams {
  const at = topic.indexOf('?');
  return new URLSearchParams(at < 0 ? '' : topic.slice(at + 1));
}

/**
 * A topic in words: `$iothub/twin/PATCH/properties/reported/?$rid=7` → `reported patch · rid 7`,
 * `devices/d1/messages/events/a=b` → `telemetry · a=b`. Unknown shapes come back unchanged.
 */
export function decodeTopic(event: TrafficEventDto): string {
  const topic = event.topic;
  let match = /^\$iothub\/twin\/(GET|PATCH)\/(?:properties\/(reported|desired)\/)?/.exec(topic);
  if (match) {
    const params = query(topic);
    const what = match[1] === 'GET' ? 'twin get' : match[2] === 'desired' ? `desired patch${params.get('$version') ? ` v${params.get('$version')}` : ''}` : 'reported patch';
    return `${what}${params.get('$rid') ? ` · rid ${params.get('$rid')}` : ''}`;
  }
  match = /^\$iothub\/twin\/res\/(\d+)\//.exec(topic);
  if (match) {
    const params = query(topic);
    return `twin answer ${match[1]}${params.get('$version') ? ` · v${params.get('$version')}` : ''}${params.get('$rid') ? ` · rid ${params.get('$rid')}` : ''}`;
  }
  match = /^\$iothub\/methods\/POST\/([^/]+)\//.exec(topic);
  if (match) return `method ${decodeURIComponent(match[1] as string)}${query(topic).get('$rid') ? ` · rid ${query(topic).get('$rid')}` : ''}`;
  match = /^\$iothub\/methods\/res\/(\d+)\//.exec(topic);
  if (match) return `method answer ${match[1]}${query(topic).get('$rid') ? ` · rid ${query(topic).get('$rid')}` : ''}`;
  match = /^devices\/([^/]+)(?:\/modules\/([^/]+))?\/messages\/(events|devicebound)\/?(.*)$/.exec(topic);
  if (match) {
    const kind = match[3] === 'events' ? 'telemetry' : 'C2D';
    const properties = decodeURIComponent(match[4] ?? '').replace(/&/g, ' ');
    return `${kind}${match[2] ? ` (module ${match[2]})` : ''}${properties ? ` · ${properties}` : ''}`;
  }
  return topic;
}

/** The first characters of a payload on one line (JSON compacted when it parses). */
export function payloadPreview(payload: string, max = 80): string {
  let text = payload;
  if (/^\s*[[{]/.test(payload)) {
    try {
      text = JSON.stringify(JSON.parse(payload));
    } catch {
      // A cut preview or not JSON: shown as is.
    }
  }
  text = text.replace(/\s+/g, ' ');
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** Events of a saved recording (the traffic view's "Save recording" file), checked field by field. */
export function readRecording(text: string): TrafficEventDto[] {
  const parsed: unknown = JSON.parse(text);
  const events = typeof parsed === 'object' && parsed !== null && Array.isArray((parsed as { events?: unknown }).events) ? (parsed as { events: unknown[] }).events : undefined;
  if (!events) throw new Error('Not a Twin Studio traffic recording: no "events" list.');
  return events.map((item, index) => {
    const event = item as Partial<TrafficEventDto>;
    if (typeof event !== 'object' || event === null || typeof event.topic !== 'string' || typeof event.time !== 'string' || typeof event.kind !== 'string' || (event.direction !== 'in' && event.direction !== 'out')) {
      throw new Error(`Event ${index + 1} of the recording is not a traffic event.`);
    }
    return { payload: '', payloadBytes: 0, truncated: false, protocol: 'mqtt', deviceId: null, ...event, id: index + 1 } as TrafficEventDto;
  });
}
