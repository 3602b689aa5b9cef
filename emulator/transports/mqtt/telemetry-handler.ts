import type { RequestHandler } from './gateway-core.js';
import { decodePropertyBag } from './property-bag.js';

/** D2C telemetry (iothub-protocol.md §6.1): decode the property bag and hand the message to the telemetry service. */
export const handleTelemetry: RequestHandler<'telemetry'> = (core, { ctx, connection, request, payload }) => {
  core.deps.telemetry.receive(ctx, connection.owner, decodePropertyBag(request.propertyBag), payload);
};
