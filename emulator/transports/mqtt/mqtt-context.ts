import type { Principal, RequestContext } from '../../model/request-context.js';
import type { TwinAddress } from '../../model/twin-address.js';
import { requestContext } from '../../services/request-contexts.js';
import type { Clock } from '../../util/clock.js';
import type { DeviceConnection } from './device-connection.js';

/** Operation names of the requests the MQTT gateway makes to services (RequestContext.operation). */
export type MqttOperation =
  | 'device.authenticate'
  | 'device.connect'
  | 'device.disconnect'
  | 'device.subscribe'
  | 'device.touch'
  | 'twin.get'
  | 'twin.patchReported'
  | 'twin.setModelId'
  | 'method.respond'
  | 'telemetry.send'
  | 'c2d.deliver'
  | 'c2d.complete';

/** The principal of an MQTT identity: always a device or a module of one. */
export function devicePrincipal(address: TwinAddress): Principal {
  return address.moduleId === undefined
    ? { kind: 'device', deviceId: address.deviceId }
    : { kind: 'device', deviceId: address.deviceId, moduleId: address.moduleId };
}

/**
 * Builds the context of one MQTT request, in this one place (house-style H11, H24): the time read once from the
 * injected clock, the correlation id (`$rid` when the request has one, else the connection's client id), the
 * device principal, the operation and the protocol.
 */
export function mqttContext(clock: Clock, identity: MqttIdentity, operation: MqttOperation, rid?: string): RequestContext {
  return requestContext(clock, { correlationId: rid ?? identity.clientId, principal: devicePrincipal(identity.address), operation, protocol: 'mqtt' });
}

/** Who is on an MQTT connection: its client id and the identity it authenticated as. */
export interface MqttIdentity {
  readonly clientId: string;
  readonly address: TwinAddress;
}

/** The identity of a live connection. */
export function identityOf(connection: DeviceConnection): MqttIdentity {
  return { clientId: connection.client.id, address: connection.owner };
}

/** The request time of a context as a Date (for error bodies and timers). */
export function contextTime(ctx: RequestContext): Date {
  return new Date(ctx.time);
}
