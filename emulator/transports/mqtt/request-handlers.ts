import type { DeviceConnection } from './device-connection.js';
import type { GatewayCore, RequestHandler } from './gateway-core.js';
import { handleMethodResponse } from './method-handler.js';
import { identityOf, mqttContext, type MqttOperation } from './mqtt-context.js';
import { handleTelemetry } from './telemetry-handler.js';
import type { DeviceRequest, RequestKind, RequestOf } from './topics.js';
import { handleReportedPatch, handleTwinGet } from './twin-handler.js';

/** A table entry: the operation name for the request's context, and the handler. */
export interface RequestRoute<K extends RequestKind> {
  readonly operation: MqttOperation;
  readonly handle: RequestHandler<K>;
}

/**
 * Device publishes by request kind (the typed requests of topics.ts). C2D has no entry: the device never publishes
 * for it, it acknowledges with PUBACK, which reaches `C2dDelivery.onAck` through aedes' `ack` event.
 */
export const REQUEST_HANDLERS: { readonly [K in RequestKind]: RequestRoute<K> } = {
  twinGet: { operation: 'twin.get', handle: handleTwinGet },
  twinPatchReported: { operation: 'twin.patchReported', handle: handleReportedPatch },
  methodResponse: { operation: 'method.respond', handle: handleMethodResponse },
  telemetry: { operation: 'telemetry.send', handle: handleTelemetry },
};

/** Builds the request's context (once, here) and runs its handler; a forbidden request never gets here. */
export function dispatchRequest(core: GatewayCore, connection: DeviceConnection, request: DeviceRequest, payload: Buffer): void | Promise<void> {
  if (request.kind === 'forbidden') return;
  return dispatchTo(core, connection, request.kind, request, payload, 'rid' in request ? request.rid : undefined);
}

function dispatchTo<K extends RequestKind>(
  core: GatewayCore,
  connection: DeviceConnection,
  kind: K,
  request: RequestOf<K>,
  payload: Buffer,
  rid: string | undefined,
): void | Promise<void> {
  const route: RequestRoute<K> = REQUEST_HANDLERS[kind];
  const ctx = mqttContext(core.deps.clock, identityOf(connection), route.operation, rid);
  core.deps.logger.debug(route.operation, ctx.correlationId);
  return route.handle(core, { ctx, connection, request, payload });
}
