import { applyConfigurationContent } from './handlers/apply-configuration-content.js';
import { createOrUpdateConfiguration } from './handlers/create-or-update-configuration.js';
import { deleteConfiguration } from './handlers/delete-configuration.js';
import { getConfiguration } from './handlers/get-configuration.js';
import { listConfigurations } from './handlers/list-configurations.js';
import { testConfigurationQueries } from './handlers/test-configuration-queries.js';
import type { RouteDefinition } from './rest-types.js';

/** Automatic device management (iothub-protocol-2.md §8.1): configurations are registry resources. */
export const CONFIGURATION_ROUTES: readonly RouteDefinition[] = [
  { method: 'GET', pattern: '/configurations', right: 'RegistryRead', operation: listConfigurations },
  { method: 'POST', pattern: '/configurations/testQueries', right: 'RegistryRead', operation: testConfigurationQueries },
  { method: 'GET', pattern: '/configurations/{configurationId}', right: 'RegistryRead', operation: getConfiguration },
  { method: 'PUT', pattern: '/configurations/{configurationId}', right: 'RegistryWrite', operation: createOrUpdateConfiguration },
  { method: 'DELETE', pattern: '/configurations/{configurationId}', right: 'RegistryWrite', operation: deleteConfiguration },
  { method: 'POST', pattern: '/devices/{deviceId}/applyConfigurationContent', right: 'RegistryWrite', operation: applyConfigurationContent },
];
