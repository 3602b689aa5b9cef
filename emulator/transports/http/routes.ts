import { bulkModifyDevices } from './handlers/bulk-modify-devices.js';
import { createOrUpdateDevice } from './handlers/create-or-update-device.js';
import { createOrUpdateModule } from './handlers/create-or-update-module.js';
import { deleteDevice } from './handlers/delete-device.js';
import { deleteModule } from './handlers/delete-module.js';
import { getDevice } from './handlers/get-device.js';
import { getDeviceStatistics } from './handlers/get-device-statistics.js';
import { getModule } from './handlers/get-module.js';
import { getModuleTwin } from './handlers/get-module-twin.js';
import { getServiceStatistics } from './handlers/get-service-statistics.js';
import { getTwin } from './handlers/get-twin.js';
import { invokeDeviceMethod } from './handlers/invoke-device-method.js';
import { invokeModuleMethod } from './handlers/invoke-module-method.js';
import { listDevices } from './handlers/list-devices.js';
import { listModules } from './handlers/list-modules.js';
import { purgeCommandQueue } from './handlers/purge-command-queue.js';
import { queryDevices } from './handlers/query-devices.js';
import { replaceModuleTwin } from './handlers/replace-module-twin.js';
import { replaceTwin } from './handlers/replace-twin.js';
import { updateModuleTwin } from './handlers/update-module-twin.js';
import { updateTwin } from './handlers/update-twin.js';
import type { RouteDefinition } from './rest-types.js';
import { CONFIGURATION_ROUTES } from './configuration-routes.js';
import { DIGITAL_TWIN_ROUTES } from './digital-twin-routes.js';
import { JOB_ROUTES } from './job-routes.js';

/**
 * The IoT Hub service REST API (iothub-protocol.md §8.2): method → path → permission → operation (house-style H6).
 * Permissions follow §2.3 step 5: the registry needs RegistryRead/RegistryWrite; twins, queries, methods and the
 * C2D queue need ServiceConnect (a registryRead-only policy cannot read twins).
 */
export const ROUTES: readonly RouteDefinition[] = [
  // Identity registry
  { method: 'GET', pattern: '/devices', right: 'RegistryRead', operation: listDevices },
  { method: 'GET', pattern: '/devices/{deviceId}', right: 'RegistryRead', operation: getDevice },
  { method: 'PUT', pattern: '/devices/{deviceId}', right: 'RegistryWrite', operation: createOrUpdateDevice },
  { method: 'DELETE', pattern: '/devices/{deviceId}', right: 'RegistryWrite', operation: deleteDevice },
  { method: 'POST', pattern: '/devices', right: 'RegistryWrite', operation: bulkModifyDevices },
  { method: 'GET', pattern: '/statistics/devices', right: 'RegistryRead', operation: getDeviceStatistics },
  { method: 'GET', pattern: '/statistics/service', right: 'ServiceConnect', operation: getServiceStatistics },
  // Twins and queries
  { method: 'GET', pattern: '/twins/{deviceId}', right: 'ServiceConnect', operation: getTwin },
  { method: 'PATCH', pattern: '/twins/{deviceId}', right: 'ServiceConnect', operation: updateTwin },
  { method: 'PUT', pattern: '/twins/{deviceId}', right: 'ServiceConnect', operation: replaceTwin },
  { method: 'POST', pattern: '/devices/query', right: 'ServiceConnect', operation: queryDevices },
  // Direct methods and the C2D queue
  { method: 'POST', pattern: '/twins/{deviceId}/methods', right: 'ServiceConnect', operation: invokeDeviceMethod },
  { method: 'DELETE', pattern: '/devices/{deviceId}/commands', right: 'ServiceConnect', operation: purgeCommandQueue },
  // Module identities, module twins and module methods (iothub-protocol.md §3.6)
  { method: 'GET', pattern: '/devices/{deviceId}/modules', right: 'RegistryRead', operation: listModules },
  { method: 'GET', pattern: '/devices/{deviceId}/modules/{moduleId}', right: 'RegistryRead', operation: getModule },
  { method: 'PUT', pattern: '/devices/{deviceId}/modules/{moduleId}', right: 'RegistryWrite', operation: createOrUpdateModule },
  { method: 'DELETE', pattern: '/devices/{deviceId}/modules/{moduleId}', right: 'RegistryWrite', operation: deleteModule },
  { method: 'GET', pattern: '/twins/{deviceId}/modules/{moduleId}', right: 'ServiceConnect', operation: getModuleTwin },
  { method: 'PATCH', pattern: '/twins/{deviceId}/modules/{moduleId}', right: 'ServiceConnect', operation: updateModuleTwin },
  { method: 'PUT', pattern: '/twins/{deviceId}/modules/{moduleId}', right: 'ServiceConnect', operation: replaceModuleTwin },
  { method: 'POST', pattern: '/twins/{deviceId}/modules/{moduleId}/methods', right: 'ServiceConnect', operation: invokeModuleMethod },
  // Jobs, configurations and digital twins (iothub-protocol-2.md §7-9)
  ...JOB_ROUTES,
  ...CONFIGURATION_ROUTES,
  ...DIGITAL_TWIN_ROUTES,
];
