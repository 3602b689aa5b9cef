import type { DeviceInput, DeviceRecord, HubEmulator, JsonObject } from '../../emulator/index.js';
import type { ExportedDevice, HubExport, ImportReport } from '../contract/dto.js';

/** The registry and twins as a JSON document (keys included: this is a local, offline development hub). */
export function exportHub(hub: HubEmulator, includeReported: boolean, now: Date): HubExport {
  const devices = [...hub.registry.all()].map((record) => exportDevice(record, includeReported));
  return { format: 'twin-studio-hub', version: 1, exportedAt: now.toISOString(), devices };
}

function exportDevice(record: DeviceRecord, includeReported: boolean): ExportedDevice {
  const { authentication, twin } = record;
  return {
    deviceId: record.deviceId,
    status: record.status,
    statusReason: record.statusReason,
    authentication: {
      type: authentication.type,
      ...(authentication.type === 'sas' ? { symmetricKey: { ...authentication.symmetricKey } } : {}),
      ...(authentication.type === 'selfSigned' ? { x509Thumbprint: { ...authentication.x509Thumbprint } } : {}),
    },
    tags: structuredClone(twin.tags),
    desired: structuredClone(twin.desired.data),
    ...(includeReported ? { reported: structuredClone(twin.reported.data) } : {}),
  };
}

/**
 * Creates (or, with `overwrite`, updates) every device of an export, then replaces its tags and desired
 * properties. Reported properties are not restored: only a device can write them (iothub-protocol.md §7.4).
 * Each device succeeds or fails on its own; failures are listed, not thrown.
 */
export async function importHub(hub: HubEmulator, data: HubExport, overwrite: boolean): Promise<ImportReport> {
  let created = 0;
  let updated = 0;
  const failed: { deviceId: string; message: string }[] = [];
  for (const device of data.devices) {
    try {
      const exists = hub.registry.find(device.deviceId) !== undefined;
      if (exists && !overwrite) throw new Error('A device with this id already exists (turn on overwrite to replace it).');
      await writeIdentity(hub, device, exists);
      await hub.twins.replaceTwin(device.deviceId, { tags: device.tags, properties: { desired: device.desired } } as JsonObject, '*');
      if (exists) updated += 1;
      else created += 1;
    } catch (error) {
      failed.push({ deviceId: device.deviceId, message: error instanceof Error ? error.message : String(error) });
    }
  }
  return { created, updated, failed };
}

async function writeIdentity(hub: HubEmulator, device: ExportedDevice, exists: boolean): Promise<void> {
  const input = {
    deviceId: device.deviceId,
    status: device.status,
    statusReason: device.statusReason ?? null,
    ...authenticationOf(device),
  };
  if (exists) await hub.registry.update(input);
  else await hub.registry.create(input);
}

/** SAS keys, X.509 thumbprints (selfSigned) or the CA type as exported; nothing (new keys) for anything else. */
function authenticationOf(device: ExportedDevice): Pick<DeviceInput, 'authentication'> {
  const { type, symmetricKey, x509Thumbprint } = device.authentication;
  if (type === 'selfSigned' && x509Thumbprint) return { authentication: { type, x509Thumbprint: { ...x509Thumbprint } } };
  if (type === 'certificateAuthority') return { authentication: { type } };
  return symmetricKey ? { authentication: { type: 'sas', symmetricKey: { ...symmetricKey } } } : {};
}

/** Deletes every device (and with it its twin); returns how many. */
export async function resetHub(hub: HubEmulator): Promise<number> {
  const ids = [...hub.registry.all()].map((record) => record.deviceId);
  for (const deviceId of ids) await hub.registry.delete(deviceId);
  hub.tap.clear();
  return ids.length;
}
