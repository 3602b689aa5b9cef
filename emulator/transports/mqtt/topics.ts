// The `$iothub/...` and `devices/...` topic grammar (iothub-protocol.md §3.4, §4, §5.1, §6). Pure: parses device
// publishes into typed requests and formats the hub's topics. Topic names emitted by the hub use the exact case.

/** A device publish, classified. */
export type DeviceRequest =
  | { readonly kind: 'twinGet'; readonly rid: string }
  | { readonly kind: 'twinPatchReported'; readonly rid: string; readonly version?: string }
  | { readonly kind: 'methodResponse'; readonly rid: string; readonly status: number }
  | { readonly kind: 'telemetry'; readonly propertyBag: string }
  | { readonly kind: 'forbidden'; readonly reason: string };

/** The kinds of device request a handler serves (a forbidden publish has none: it closes the connection). */
export type RequestKind = Exclude<DeviceRequest['kind'], 'forbidden'>;

/** The typed request of one kind. */
export type RequestOf<K extends RequestKind> = Extract<DeviceRequest, { readonly kind: K }>;

/** Whose topics a connection may use: a device, or a module of a device. */
export interface TopicOwner {
  readonly deviceId: string;
  readonly moduleId?: string;
}

const TWIN_GET = '$iothub/twin/GET/';
const TWIN_PATCH_REPORTED = '$iothub/twin/PATCH/properties/reported/';
const METHOD_RESPONSE = '$iothub/methods/res/';

/** Classifies a topic a device published to; anything outside the device's own families is `forbidden`. */
export function parseDeviceTopic(topic: string, owner: TopicOwner): DeviceRequest {
  if (topic.startsWith(TWIN_GET)) {
    const rid = readQuery(topic.slice(TWIN_GET.length)).get('$rid');
    return rid === undefined ? forbidden('twin GET without $rid') : { kind: 'twinGet', rid };
  }
  if (topic.startsWith(TWIN_PATCH_REPORTED)) {
    const params = readQuery(topic.slice(TWIN_PATCH_REPORTED.length));
    const rid = params.get('$rid');
    if (rid === undefined) return forbidden('reported PATCH without $rid');
    const version = params.get('$version');
    return version === undefined ? { kind: 'twinPatchReported', rid } : { kind: 'twinPatchReported', rid, version };
  }
  if (topic.startsWith(METHOD_RESPONSE)) {
    const rest = topic.slice(METHOD_RESPONSE.length);
    const slash = rest.indexOf('/');
    const status = Number(rest.slice(0, slash));
    const rid = readQuery(rest.slice(slash + 1)).get('$rid');
    if (slash < 1 || !Number.isInteger(status) || rid === undefined) return forbidden('malformed method response');
    return { kind: 'methodResponse', rid, status };
  }
  const events = `${ownerPrefix(owner)}/messages/events/`;
  if (topic.startsWith(events)) return { kind: 'telemetry', propertyBag: topic.slice(events.length) };
  // The bag may also be absent with no trailing slash.
  if (topic === events.slice(0, -1)) return { kind: 'telemetry', propertyBag: '' };
  return forbidden(`topic '${topic}' is not one a device may publish to`);
}

/** The `$iothub` filters every identity subscribes to with the same text (iothub-protocol.md §3.4). */
const SHARED_FILTERS: ReadonlySet<string> = new Set(['$iothub/twin/res/#', '$iothub/twin/PATCH/properties/desired/#', '$iothub/methods/POST/#']);

/** True for a filter of one of the device topic families: the shared `$iothub` ones, or one under `devices/`. */
export function isDeviceTopicFamily(filter: string): boolean {
  return SHARED_FILTERS.has(filter) || filter.startsWith('devices/');
}

/** True when a filter is shared or names the owner's own topics: C2D for a device, `…/modules/<m>/#` for a module. */
export function isOwnSubscription(filter: string, owner: TopicOwner): boolean {
  if (SHARED_FILTERS.has(filter)) return true;
  // An id holding `+` or `#` (a data file from before they were refused) would make its own filter a wildcard.
  if (hasWildcard(owner.deviceId) || (owner.moduleId !== undefined && hasWildcard(owner.moduleId))) return false;
  if (owner.moduleId === undefined) return filter === `devices/${owner.deviceId}/messages/devicebound/#`;
  const prefix = ownerPrefix(owner);
  return filter === `${prefix}/#` || filter === `${prefix}/inputs/#`;
}

/** True when an id holds an MQTT wildcard character; such an id must never be put into a topic filter. */
export function hasWildcard(id: string): boolean {
  return id.includes('+') || id.includes('#');
}

/** Topic filters a device may subscribe to (iothub-protocol.md §3.4 "Subscribe filters accepted"). */
export function isAllowedSubscription(filter: string, owner: TopicOwner): boolean {
  return isDeviceTopicFamily(filter) && isOwnSubscription(filter, owner);
}

/** `$iothub/twin/res/<status>/?$rid=<rid>[&$version=<v>]`: `/` before `?`, literal `$` (§4.1). */
export function twinResponseTopic(status: number, rid: string, version?: number): string {
  const suffix = version === undefined ? '' : `&$version=${version}`;
  return `$iothub/twin/res/${status}/?$rid=${rid}${suffix}`;
}

/** `$iothub/twin/PATCH/properties/desired/?$version=<n>` (§4.4). */
export function desiredPatchTopic(version: number): string {
  return `$iothub/twin/PATCH/properties/desired/?$version=${version}`;
}

/** `$iothub/methods/POST/<name>/?$rid=<rid>` (§5.1). */
export function methodRequestTopic(methodName: string, rid: string): string {
  return `$iothub/methods/POST/${methodName}/?$rid=${rid}`;
}

/** `devices/<d>[/modules/<m>]` */
export function ownerPrefix(owner: TopicOwner): string {
  return owner.moduleId === undefined
    ? `devices/${owner.deviceId}`
    : `devices/${owner.deviceId}/modules/${owner.moduleId}`;
}

/**
 * Reads `?a=1&b=2` (leading `?` optional). `$rid` is echoed byte for byte, so values are NOT percent-decoded:
 * Python quotes its uuid and expects the same text back (§4.1).
 */
function readQuery(text: string): Map<string, string> {
  const params = new Map<string, string>();
  const query = text.startsWith('?') ? text.slice(1) : text;
  if (query === '') return params;
  for (const pair of query.split('&')) {
    const eq = pair.indexOf('=');
    if (eq < 0) params.set(pair, '');
    else params.set(pair.slice(0, eq), pair.slice(eq + 1));
  }
  return params;
}

function forbidden(reason: string): DeviceRequest {
  return { kind: 'forbidden', reason };
}
