import type { DeviceConnection } from './device-connection.js';
import type { GatewayCore, RequestHandler } from './gateway-core.js';
import { handleMethodResponse } from './method-handler.js';
import { identityOf, mqttContext, type MqttOperation } from './mqtt-context.js';
import { handleTelemetry } from './telemetry-handler.js';
import type { DeviceRequest, RequestKind, RequestOf } from './topics.js';
import { handleReportedPatch, handleTwinGet, TWIN_RESPONSE_FILTER } from './twin-handler.js';
import { publishTwinError } from './reply.js';
import { twinResponseTopic } from './topics.js';
import type { RequestContext } from '../../model/request-context.js';
import { endsDeviceConnection } from '../../errors/catalogue.js';

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
  const gate = core.deps.gate;
  // The request gate (throttles, quotas, faults) is asked only when something is registered; a method response
  // answers the hub's own request and is never gated.
  if (gate === undefined || !gate.active || kind === 'methodResponse') return route.handle(core, { ctx, connection, request, payload });
  return gate.admit(ctx, { bytes: payload.length }).then(
    () => route.handle(core, { ctx, connection, request, payload }),
    (error: unknown) => refuseRequest(core, connection, ctx, request, error),
  );
}

/**
 * A request the gate refused, as IoT Hub answers it over MQTT (iothub-protocol-2.md §10.2): a twin request gets
 * `$iothub/twin/res/<status>/?$rid=…` with the error body; a D2C message cannot be refused in-band, so the
 * connection closes with its PUBLISH unacknowledged (the device SDK reconnects and sends it again).
 */
function refuseRequest(core: GatewayCore, connection: DeviceConnection, ctx: RequestContext, request: DeviceRequest, error: unknown): void {
  if (request.kind === 'twinGet' || request.kind === 'twinPatchReported') {
    if (connection.subscriptions.has(TWIN_RESPONSE_FILTER)) publishTwinError(core.deps, connection, ctx, request.rid, error, (status) => twinResponseTopic(status, request.rid));
    // 429002: IoT Hub also drops the connection of a device with too many requests in the throttling queue; the
    // reply is written first.
    if (endsDeviceConnection(error)) {
      core.deps.logger.info(`${ctx.operation} refused with 429002, closing the connection: ${(error as Error).message}`, ctx.correlationId);
      setImmediate(() => connection.client.close());
    }
    return;
  }
  core.deps.logger.info(`${ctx.operation} refused by the request gate, closing the connection: ${(error as Error).message}`, ctx.correlationId);
  connection.client.close();
}
