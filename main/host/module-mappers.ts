import type { HubEmulator, ModuleRecord } from '../../emulator/index.js';
import type { ModuleDetails, ModuleSummary } from '../contract/module-dto.js';

/** A module list row from the registry record plus its live state. */
export function toModuleSummary(hub: HubEmulator, record: ModuleRecord): ModuleSummary {
  const runtime = hub.modules.runtime(record.deviceId, record.moduleId);
  return {
    deviceId: record.deviceId,
    moduleId: record.moduleId,
    managedBy: record.managedBy,
    connectionState: runtime.connectionState,
    lastActivityTime: runtime.lastActivityTime,
    authenticationType: record.authentication.type,
    twinVersion: record.twin.version,
  };
}

/** A module with its connection string (symmetric-key modules; X.509 modules connect with their certificate). */
export function toModuleDetails(hub: HubEmulator, record: ModuleRecord): ModuleDetails {
  return {
    ...toModuleSummary(hub, record),
    generationId: record.generationId,
    connectionString: record.authentication.type === 'sas' ? hub.moduleConnectionString(record.deviceId, record.moduleId) : '',
  };
}
