/**
 * IoT Hub's throttle classes (iothub-protocol.md §11): every operation a client makes belongs to one family, and
 * tier emulation keeps one token bucket per family (per device where the hub throttles per device). The family of a
 * request is read from its RequestContext's operation name, so the gate needs no transport-specific knowledge.
 */
export type OperationFamily =
  | 'deviceToCloud'
  | 'twinRead'
  | 'twinUpdate'
  | 'directMethod'
  | 'cloudToDeviceSend'
  | 'cloudToDeviceReceive'
  | 'query'
  | 'identityRegistry'
  | 'deviceConnection'
  | 'fileUpload'
  | 'jobs'
  | 'configurations'
  | 'other';

/** Every family, in the order the CLI and the studio list them. */
export const OPERATION_FAMILIES: readonly OperationFamily[] = [
  'deviceToCloud',
  'twinRead',
  'twinUpdate',
  'directMethod',
  'cloudToDeviceSend',
  'cloudToDeviceReceive',
  'query',
  'identityRegistry',
  'deviceConnection',
  'fileUpload',
  'jobs',
  'configurations',
  'other',
];

/** Operation names the transports give their contexts (MQTT, AMQP), mapped to their family. */
const NAMED: Readonly<Record<string, OperationFamily>> = Object.assign(Object.create(null) as Record<string, OperationFamily>, {
  'telemetry.send': 'deviceToCloud',
  'twin.get': 'twinRead',
  'twin.patchReported': 'twinUpdate',
  'method.invoke': 'directMethod',
  'c2d.send': 'cloudToDeviceSend',
  'device.connect': 'deviceConnection',
  'device.authenticate': 'deviceConnection',
  'query.run': 'query',
});

/**
 * The family of an operation name: the transports' dotted names (`twin.get`, `telemetry.send`, …) or a REST
 * route (`PATCH /twins/{deviceId}`, `POST /devices/{deviceId}/messages/events`, …). Unknown names are `other`,
 * which no tier throttles.
 */
export function operationFamilyOf(operation: string): OperationFamily {
  const named = NAMED[operation];
  if (named !== undefined) return named;
  const space = operation.indexOf(' ');
  if (space < 0) return 'other';
  const method = operation.slice(0, space);
  const path = operation.slice(space + 1);
  return routeFamily(method, path);
}

function routeFamily(method: string, path: string): OperationFamily {
  if (path.startsWith('/twins/')) {
    if (path.endsWith('/methods')) return 'directMethod';
    return method === 'GET' ? 'twinRead' : 'twinUpdate';
  }
  if (path.startsWith('/digitaltwins/')) {
    if (path.includes('/commands/')) return 'directMethod';
    return method === 'GET' ? 'twinRead' : 'twinUpdate';
  }
  if (path === '/devices/query') return 'query';
  if (path.endsWith('/messages/events')) return 'deviceToCloud';
  if (path.includes('/messages/devicebound')) return method === 'GET' ? 'cloudToDeviceReceive' : 'other';
  if (path.includes('/files')) return path.endsWith('/files') ? 'fileUpload' : 'other';
  if (path.startsWith('/devices/') && path.endsWith('/commands')) return 'other';
  if (path.endsWith('/applyConfigurationContent')) return 'configurations';
  if (path === '/devices' || path.startsWith('/devices/')) return 'identityRegistry';
  if (path.startsWith('/jobs')) return 'jobs';
  if (path.startsWith('/configurations') || path.startsWith('/modulesContent')) return 'configurations';
  return 'other';
}
