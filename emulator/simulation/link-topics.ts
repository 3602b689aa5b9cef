import { encodePropertyBag } from '../client-kit.js';

// The device side of the IoT Hub MQTT topic grammar (iothub-protocol.md §3.4-§6): what a device publishes and how it
// reads what the hub sends. The hub side lives in transports/mqtt/topics.ts; this is its mirror image.

/** Filters a device subscribes to (§3.4), one SUBSCRIBE packet like the Node SDK's lazy subscriptions combined. */
export const TWIN_RESPONSES = '$iothub/twin/res/#';
export const DESIRED_PATCHES = '$iothub/twin/PATCH/properties/desired/#';
export const METHOD_REQUESTS = '$iothub/methods/POST/#';

const TWIN_RESPONSE_PREFIX = '$iothub/twin/res/';
const DESIRED_PREFIX = '$iothub/twin/PATCH/properties/desired';
const METHOD_PREFIX = '$iothub/methods/POST/';

/** `$iothub/twin/GET/?$rid=<rid>` */
export function twinGetTopic(rid: string): string {
  return `$iothub/twin/GET/?$rid=${rid}`;
}

/** `$iothub/twin/PATCH/properties/reported/?$rid=<rid>` */
export function reportedPatchTopic(rid: string): string {
  return `$iothub/twin/PATCH/properties/reported/?$rid=${rid}`;
}

/** `$iothub/methods/res/<status>/?$rid=<rid>` */
export function methodResponseTopic(status: number, rid: string): string {
  return `$iothub/methods/res/${status}/?$rid=${rid}`;
}

/** Telemetry system properties a simulation sets (§6.1). */
export interface TelemetryOptions {
  readonly contentType?: string;
  readonly contentEncoding?: string;
  readonly messageId?: string;
  readonly properties?: Readonly<Record<string, string>>;
}

/** `devices/<id>/messages/events/<bag>` with `$` encoded as `%24`, as the Node SDK sends it (§6.1). */
export function telemetryTopic(deviceId: string, options: TelemetryOptions = {}): string {
  const system: Record<string, string> = {};
  if (options.messageId !== undefined) system.mid = options.messageId;
  if (options.contentType !== undefined) system.ct = options.contentType;
  if (options.contentEncoding !== undefined) system.ce = options.contentEncoding;
  return `devices/${deviceId}/messages/events/${encodePropertyBag(system, { ...options.properties })}`;
}

/** A hub → device publish, classified. */
export type HubMessage =
  | { readonly kind: 'twinResponse'; readonly status: number; readonly rid: string; readonly version?: number }
  | { readonly kind: 'desired'; readonly version?: number }
  | { readonly kind: 'method'; readonly name: string; readonly rid: string }
  | { readonly kind: 'other' };

/** Classifies a topic the hub published to this device. */
export function parseHubTopic(topic: string): HubMessage {
  if (topic.startsWith(TWIN_RESPONSE_PREFIX)) {
    const rest = topic.slice(TWIN_RESPONSE_PREFIX.length);
    const slash = rest.indexOf('/');
    const params = readQuery(rest.slice(slash + 1));
    const rid = params.get('$rid');
    const status = Number(rest.slice(0, slash));
    if (slash < 1 || rid === undefined || !Number.isInteger(status)) return { kind: 'other' };
    const version = params.get('$version');
    return version === undefined ? { kind: 'twinResponse', status, rid } : { kind: 'twinResponse', status, rid, version: Number(version) };
  }
  if (topic.startsWith(DESIRED_PREFIX)) {
    const version = readQuery(topic.slice(topic.indexOf('?') + 1)).get('$version');
    return version === undefined ? { kind: 'desired' } : { kind: 'desired', version: Number(version) };
  }
  if (topic.startsWith(METHOD_PREFIX)) {
    const rest = topic.slice(METHOD_PREFIX.length);
    const slash = rest.indexOf('/');
    const rid = readQuery(rest.slice(slash + 1)).get('$rid');
    if (slash < 1 || rid === undefined) return { kind: 'other' };
    return { kind: 'method', name: rest.slice(0, slash), rid };
  }
  return { kind: 'other' };
}

function readQuery(text: string): Map<string, string> {
  const params = new Map<string, string>();
  const query = text.startsWith('?') ? text.slice(1) : text;
  for (const pair of query.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    if (eq < 0) params.set(pair, '');
    else params.set(pair.slice(0, eq), pair.slice(eq + 1));
  }
  return params;
}
