import type { RequestHandler } from './gateway-core.js';
import { decodePropertyBag } from './property-bag.js';

/**
 * D2C telemetry (iothub-protocol.md §6.1): decode the property bag and hand the message on. Telemetry has no
 * service call yet: the message still reaches TelemetryService as the `telemetryReceived` event.
 */
export const handleTelemetry: RequestHandler<'telemetry'> = (core, { connection, request, payload }) => {
  const properties = decodePropertyBag(request.propertyBag);
  const { deviceId, moduleId } = connection.owner;
  // CTX-SWITCH: telemetry.receive(ctx, address, properties, payload) — once TelemetryService has it; the event
  // then becomes the service's own (house-style H5: only services emit domain events).
  core.deps.events.emit('telemetryReceived', { deviceId, ...(moduleId === undefined ? {} : { moduleId }), properties, body: payload });
};
