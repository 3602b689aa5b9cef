import { getDigitalTwin } from './handlers/get-digital-twin.js';
import { invokeDigitalTwinCommand } from './handlers/invoke-digital-twin-command.js';
import { updateDigitalTwin } from './handlers/update-digital-twin.js';
import type { RouteDefinition } from './rest-types.js';

/** The IoT Plug and Play digital twin API (iothub-protocol-2.md §9.2-9.4): twins and methods, so ServiceConnect. */
export const DIGITAL_TWIN_ROUTES: readonly RouteDefinition[] = [
  { method: 'GET', pattern: '/digitaltwins/{deviceId}', right: 'ServiceConnect', operation: getDigitalTwin },
  { method: 'PATCH', pattern: '/digitaltwins/{deviceId}', right: 'ServiceConnect', operation: updateDigitalTwin },
  { method: 'POST', pattern: '/digitaltwins/{deviceId}/commands/{commandName}', right: 'ServiceConnect', operation: invokeDigitalTwinCommand },
  {
    method: 'POST',
    pattern: '/digitaltwins/{deviceId}/components/{componentName}/commands/{commandName}',
    right: 'ServiceConnect',
    operation: invokeDigitalTwinCommand,
  },
];
