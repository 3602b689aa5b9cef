import type { MethodDelivery, MethodService } from '../../services/method-service.js';
import type { DeviceConnection } from './device-connection.js';
import { publishTo, type ReplyContext } from './reply.js';
import { methodRequestTopic } from './topics.js';

// Direct methods over MQTT (iothub-protocol.md §5.1): the hub publishes the request at QoS 0 on
// `$iothub/methods/POST/<name>/?$rid=<rid>` to the one connection of the identity, and only when that connection
// subscribed to `$iothub/methods/POST/#`. The device's answer is classified in `authorizePublish` and reaches the
// MethodService as the `methodResponded` domain event.

/** Topic filter a device subscribes to for method requests. */
export const METHODS_FILTER = '$iothub/methods/POST/#';

/** Finds the live connection of an identity. */
export type ConnectionLookup = (deviceId: string, moduleId?: string) => DeviceConnection | undefined;

/** The gateway's side of direct methods, handed to `MethodService.attach`. */
export function createMethodDelivery(context: ReplyContext, lookup: ConnectionLookup): MethodDelivery {
  return {
    canReceive: (deviceId, moduleId) => lookup(deviceId, moduleId)?.subscriptions.has(METHODS_FILTER) ?? false,
    deliver: (deviceId, moduleId, methodName, rid, payload) => {
      const connection = lookup(deviceId, moduleId);
      if (!connection) return;
      publishTo(context, connection, { topic: methodRequestTopic(methodName, rid), payload, kind: 'method', rid });
    },
  };
}

/** Wakes method calls waiting (connectTimeoutInSeconds) for this connection to subscribe. */
export function announceMethodReadiness(methods: MethodService | undefined, connection: DeviceConnection): void {
  if (!methods || !connection.subscriptions.has(METHODS_FILTER)) return;
  methods.notifyReady(connection.owner.deviceId, connection.owner.moduleId);
}
