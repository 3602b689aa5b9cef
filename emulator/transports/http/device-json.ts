import type { DeviceRecord } from '../../model/device.js';
import type { JsonObject } from '../../model/json.js';
import type { RegistryService } from '../../services/registry-service.js';
import { identityEtag } from '../../twin/twin-views.js';

/**
 * The device identity JSON of the registry API (iothub-protocol.md §8.3): spelled `statusUpdatedTime` (the twin
 * says `statusUpdateTime`) and, unlike the twin, carries `generationId` and `connectionStateUpdatedTime`.
 */
export function deviceJson(record: DeviceRecord, registry: RegistryService): JsonObject {
  const runtime = registry.runtime(record.deviceId);
  const { symmetricKey, x509Thumbprint, type } = record.authentication;
  return {
    deviceId: record.deviceId,
    generationId: record.generationId,
    etag: identityEtag(record),
    connectionState: runtime.connectionState,
    status: record.status,
    statusReason: record.statusReason,
    connectionStateUpdatedTime: registry.connectionStateUpdatedTime(record.deviceId),
    statusUpdatedTime: record.statusUpdatedTime,
    lastActivityTime: runtime.lastActivityTime,
    cloudToDeviceMessageCount: runtime.cloudToDeviceMessageCount,
    authentication: {
      symmetricKey: { primaryKey: symmetricKey.primaryKey || null, secondaryKey: symmetricKey.secondaryKey || null },
      x509Thumbprint: { ...x509Thumbprint },
      type,
    },
    capabilities: { iotEdge: record.capabilities.iotEdge },
  };
}
