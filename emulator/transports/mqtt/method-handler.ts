import type { RequestContext } from '../../model/request-context.js';
import type { DeviceConnection } from './device-connection.js';
import type { GatewayCore, RequestHandler } from './gateway-core.js';
import { publishTo, type ReplyContext } from './reply.js';
import { methodRequestTopic } from './topics.js';

// Direct methods over MQTT (iothub-protocol.md §5.1): the hub publishes the request at QoS 0 on
// `$iothub/methods/POST/<name>/?$rid=<rid>` to the one connection of the identity, and only when that connection
// subscribed to `$iothub/methods/POST/#` (the device port's `invokeMethod`). The device's answer on
// `$iothub/methods/res/<status>/?$rid=<rid>` goes straight to `MethodService.complete`.

/** Topic filter a device subscribes to for method requests. */
export const METHODS_FILTER = '$iothub/methods/POST/#';

/** True when the connection can take method requests. */
export function canReceiveMethods(connection: DeviceConnection | undefined): boolean {
  return connection?.subscriptions.has(METHODS_FILTER) ?? false;
}

/** Publishes a method request to the connection. */
export function sendMethodRequest(context: ReplyContext, connection: DeviceConnection, methodName: string, payload: string, rid: string): void {
  publishTo(context, connection, { topic: methodRequestTopic(methodName, rid), payload, kind: 'method', rid });
}

/** `$iothub/methods/res/<status>/?$rid=<rid>` → the pending call with that `$rid`. */
export const handleMethodResponse: RequestHandler<'methodResponse'> = (core, { connection, request, payload }) => {
  core.deps.methods?.complete(connection.owner, request.rid, request.status, payload);
};

/** Wakes method calls waiting (connectTimeoutInSeconds) for this connection to subscribe. */
export function announceMethodReadiness(core: GatewayCore, ctx: RequestContext, connection: DeviceConnection): void {
  const methods = core.deps.methods;
  if (!methods || !canReceiveMethods(connection)) return;
  core.deps.logger.debug('ready for method requests', ctx.correlationId);
  methods.notifyReady(connection.owner.deviceId, connection.owner.moduleId);
}
