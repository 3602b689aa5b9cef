import type { HubEventBus } from '../../events.js';
import type { DeviceConnection } from './device-connection.js';
import { decodePropertyBag } from './property-bag.js';

/** D2C telemetry (iothub-protocol.md §6.1): decode the property bag and publish the message as a domain event. */
export function handleTelemetry(events: HubEventBus, connection: DeviceConnection, propertyBag: string, payload: Buffer): void {
  const properties = decodePropertyBag(propertyBag);
  events.emit('telemetryReceived', {
    deviceId: connection.principal.deviceId,
    ...(connection.principal.moduleId === undefined ? {} : { moduleId: connection.principal.moduleId }),
    properties,
    body: payload,
  });
}
