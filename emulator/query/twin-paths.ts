/**
 * Path canonicalisation. IoT Hub matches the twin's own top-level field names case-insensitively and returns
 * them in canonical case (`SELECT DeviceId` → `deviceId`, iothub-protocol.md §9.3). We do the same for the
 * fixed structure below `properties` (`desired`, `reported`) and for `$metadata` / `$version` at a section root.
 * Names under `tags`, `properties.desired` and `properties.reported` are user keys and stay case-sensitive
 * (twin keys are case-sensitive, §7.3; choice recorded in README.md).
 */

/** Top-level twin fields, iothub-protocol.md §7.1. */
const TOP_LEVEL_FIELDS = [
  'deviceId', 'moduleId', 'etag', 'deviceEtag', 'status', 'statusReason', 'statusUpdateTime', 'connectionState',
  'lastActivityTime', 'cloudToDeviceMessageCount', 'authenticationType', 'x509Thumbprint', 'modelId', 'version',
  'tags', 'properties', 'capabilities', 'deviceScope', 'parentScopes', 'configurations',
];
const TOP_LEVEL = new Map(TOP_LEVEL_FIELDS.map((name) => [name.toLowerCase(), name]));
const SECTIONS = new Map([['desired', 'desired'], ['reported', 'reported']]);
const SECTION_ROOT = new Map([['$metadata', '$metadata'], ['$version', '$version']]);

/** Returns the segments with the twin's fixed field names in canonical case; user keys are left as written. */
export function canonicalPath(segments: readonly string[]): string[] {
  // `devices.jobs.status` names the `status` of a devices.jobs row (iothub-protocol-2.md §7.4).
  const prefixed = segments.length > 2 && segments[0]?.toLowerCase() === 'devices' && segments[1]?.toLowerCase() === 'jobs';
  const out = prefixed ? segments.slice(2) : [...segments];
  const first = out[0];
  if (first === undefined) return out;
  out[0] = TOP_LEVEL.get(first.toLowerCase()) ?? first;
  if (out[0] === 'properties' && out[1] !== undefined) {
    out[1] = SECTIONS.get(out[1].toLowerCase()) ?? out[1];
    if (SECTIONS.has(out[1]) && out[2] !== undefined) out[2] = SECTION_ROOT.get(out[2].toLowerCase()) ?? out[2];
  }
  return out;
}

/** True when two paths name the same property once canonicalised. */
export function samePath(a: readonly string[], b: readonly string[]): boolean {
  const ca = canonicalPath(a);
  const cb = canonicalPath(b);
  return ca.length === cb.length && ca.every((segment, i) => segment === cb[i]);
}
