import type { RequestHandler } from './gateway-core.js';
import { decodePropertyBag } from './property-bag.js';

/**
 * D2C telemetry (iothub-protocol.md §6.1): decode the property bag and hand the message to the telemetry service.
 * MQTT has no way to refuse one PUBLISH, so a message the hub refuses (over 256 KB, §10) closes the connection, as
 * IoT Hub does; the device's QoS 1 PUBLISH is never acknowledged.
 */
export const handleTelemetry: RequestHandler<'telemetry'> = (core, { ctx, connection, request, payload }) => {
  try {
    const properties = decodePropertyBag(request.propertyBag);
    // A fault request (AzIoTHub_FaultOperationType, emulator/faults/) is acknowledged and acted on, not routed.
    if (core.deps.faults?.onDeviceMessage(connection.owner, properties.application, 'mqtt') === true) return undefined;
    // The PUBACK waits for this: a device's QoS 1 message is acknowledged once the built-in endpoint has it durably.
    return core.deps.telemetry.receive(ctx, connection.owner, properties, payload).catch((error: unknown) => {
      core.deps.logger.warn(`telemetry not stored, closing the connection unacknowledged: ${String(error)}`, ctx.correlationId);
      connection.client.close();
    });
  } catch (error) {
    core.deps.logger.warn(`telemetry refused, closing the connection: ${(error as Error).message}`, ctx.correlationId);
    connection.client.close();
    return undefined;
  }
};
