import type { ConnectionState, DeviceRecord } from '../model/device.js';
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

/** Identity etag: base64 of the decimal identity version, the form real hubs use for `deviceEtag`. */
export function identityEtag(record: DeviceRecord): string {
  return Buffer.from(String(record.identityVersion)).toString('base64');
}

/** A section as JSON: its content, optionally `$metadata`, and `$version`. */
export function sectionView(section: TwinSection, withMetadata: boolean): JsonObject {
  const view: JsonObject = { ...section.data };
  if (withMetadata) view.$metadata = section.metadata as unknown as JsonObject;
  view.$version = section.version;
  return view;
}

/** The service-side twin document (GET /twins/{id}, query rows). */
export function serviceTwin(record: DeviceRecord, runtime: RuntimeState): JsonObject {
  const twin = record.twin;
  const doc: JsonObject = {
    deviceId: record.deviceId,
    etag: twinEtag(twin),
    deviceEtag: identityEtag(record),
    status: record.status,
  };
  if (record.statusReason !== null) doc.statusReason = record.statusReason;
  Object.assign(doc, {
    statusUpdateTime: record.statusUpdatedTime,
    connectionState: runtime.connectionState,
    lastActivityTime: runtime.lastActivityTime,
    cloudToDeviceMessageCount: runtime.cloudToDeviceMessageCount,
    authenticationType: record.authentication.type,
    x509Thumbprint: { ...record.authentication.x509Thumbprint },
    modelId: twin.modelId,
    version: twin.version,
    tags: twin.tags,
    properties: { desired: sectionView(twin.desired, true), reported: sectionView(twin.reported, true) },
    capabilities: { ...record.capabilities },
  });
  return doc;
}

/** The body of a device's twin GET: only desired and reported, each with `$version`, no `$metadata` (§4.2). */
export function deviceTwinView(twin: TwinState): JsonObject {
  return { desired: sectionView(twin.desired, false), reported: sectionView(twin.reported, false) };
}
