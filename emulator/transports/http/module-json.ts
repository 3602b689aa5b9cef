import type { JsonObject } from '../../model/json.js';
import { moduleEtag, type ModuleService } from '../../services/module-service.js';
import type { ModuleRecord } from '../../model/hub-state.js';

/** The module identity JSON of the registry API: device JSON's shape plus `moduleId` and `managedBy`, no status. */
export function moduleJson(record: ModuleRecord, modules: ModuleService): JsonObject {
  const runtime = modules.runtime(record.deviceId, record.moduleId);
  const { symmetricKey, x509Thumbprint, type } = record.authentication;
  return {
    deviceId: record.deviceId,
    moduleId: record.moduleId,
    managedBy: record.managedBy,
    generationId: record.generationId,
    etag: moduleEtag(record),
    connectionState: runtime.connectionState,
    connectionStateUpdatedTime: runtime.connectionStateUpdatedTime,
    lastActivityTime: runtime.lastActivityTime,
    cloudToDeviceMessageCount: 0,
    authentication: {
      symmetricKey: { primaryKey: symmetricKey.primaryKey || null, secondaryKey: symmetricKey.secondaryKey || null },
      x509Thumbprint: { ...x509Thumbprint },
      type,
    },
  };
}
