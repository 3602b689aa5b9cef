import type { ConnectionState, DeviceRecord } from '../model/device.js';
import { NEVER } from '../model/device.js';
import type { ModuleRecord } from '../model/hub-state.js';
import type { JsonObject } from '../model/json.js';
import type { TwinSection, TwinState } from '../model/twin.js';

// The shapes a twin is shown in: the service view (REST, queries; iothub-protocol.md §7.1) and the device view
// (`$iothub/twin/GET` body; §4.2).

/** Live facts about an identity that are not persisted with its record. */
export interface RuntimeState {
  readonly connectionState: ConnectionState;
  readonly lastActivityTime: string;
  readonly cloudToDeviceMessageCount: number;
}

/** Twin etag: base64 of the twin version as an 8-byte big-endian counter, like the real hub (`AAAAAAAAAAc=`). */
export function twinEtag(twin: TwinState): string {
  const bytes = Buffer.alloc(8);
  bytes.writeBigUInt64BE(BigInt(twin.version));
  return bytes.toString('base64');
}

/** Identity etag: base64 of the decimal identity version, the form real hubs use for `deviceEtag` (devices and modules). */
export function identityEtag(record: { readonly identityVersion: number }): string {
  return Buffer.from(String(record.identityVersion)).toString('base64');
}

/** A section as JSON: its content, optionally `$metadata`, and `$version`. */
export function sectionView(section: TwinSection, withMetadata: boolean): JsonObject {
  const view: JsonObject = { ...section.data };
  if (withMetadata) view.$metadata = section.metadata as unknown as JsonObject;
  view.$version = section.version;
  return view;
}

/** The identity a twin belongs to: a device record or a module record (iothub-protocol.md §3.6). */
export type TwinOwner = DeviceRecord | ModuleRecord;

/**
 * The service-side twin document (GET /twins/{id}, GET /twins/{id}/modules/{m}, query rows): one builder for device
 * and module twins. A module twin has `moduleId`, is always `enabled` and has no capabilities or C2D count.
 */
export function serviceTwin(owner: TwinOwner, runtime: RuntimeState): JsonObject {
  const twin = owner.twin;
  const isModule = 'moduleId' in owner;
  const doc: JsonObject = isModule
    ? { deviceId: owner.deviceId, moduleId: owner.moduleId, etag: twinEtag(twin), deviceEtag: identityEtag(owner), status: 'enabled' }
    : { deviceId: owner.deviceId, etag: twinEtag(twin), deviceEtag: identityEtag(owner), status: owner.status };
  if (!isModule && owner.statusReason !== null) doc.statusReason = owner.statusReason;
  Object.assign(doc, {
    statusUpdateTime: isModule ? NEVER : owner.statusUpdatedTime,
    connectionState: runtime.connectionState,
    lastActivityTime: runtime.lastActivityTime,
    cloudToDeviceMessageCount: isModule ? 0 : runtime.cloudToDeviceMessageCount,
    authenticationType: owner.authentication.type,
    x509Thumbprint: { ...owner.authentication.x509Thumbprint },
    modelId: twin.modelId,
    version: twin.version,
    tags: twin.tags,
    properties: { desired: sectionView(twin.desired, true), reported: sectionView(twin.reported, true) },
  });
  if (!isModule) doc.capabilities = { ...owner.capabilities };
  if (twin.configurations !== undefined) doc.configurations = structuredClone(twin.configurations) as unknown as JsonObject;
  return doc;
}

/** The body of a device's twin GET: only desired and reported, each with `$version`, no `$metadata` (§4.2). */
export function deviceTwinView(twin: TwinState): JsonObject {
  return { desired: sectionView(twin.desired, false), reported: sectionView(twin.reported, false) };
}
