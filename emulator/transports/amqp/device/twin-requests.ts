import rhea, { type Message, type Sender } from 'rhea';

import { argumentInvalid, endsDeviceConnection } from '../../../errors/catalogue.js';
import { toAmqpError, type AmqpErrorCondition } from '../../../errors/to-amqp.js';
import { toMqttError } from '../../../errors/to-mqtt.js';
import type { JsonObject } from '../../../model/json.js';
import type { RequestContext } from '../../../model/request-context.js';
import type { RequestGate } from '../../../services/request-gate.js';
import type { TwinService } from '../../../services/twin-service.js';
import { parseReportedPatch } from '../../../twin/service-twin-body.js';
import { checkIntegerLiteralsOf } from '../../../twin/validate-patch.js';
import { parseJsonPayload } from '../../mqtt/json-payload.js';
import { getOwn } from '../../../util/own-keys.js';
import type { IdentityLinks } from './identity-links.js';
import { idText } from './message-ids.js';
import { bodyBytesOf } from '../message-body.js';

/** The twin calls the AMQP twin link makes. */
export type TwinCalls = Pick<TwinService, 'getDeviceTwin' | 'patchReported'>;

/** A twin reply: the `status` annotation, the body, and the reported `$version` a PATCH made. */
export interface TwinReply {
  readonly status: number;
  readonly body: string;
  readonly version?: number;
  /** The refusal ends the device's connection, with this error (429002 ThrottleBacklogLimitExceeded). */
  readonly closeWith?: AmqpErrorCondition;
}

const DESIRED_NOTIFICATIONS = '/notifications/twin/properties/desired';

/**
 * One request on a device's twin link (iothub-protocol-2.md §3.7): `operation` (and `resource`) annotations say
 * what it is — GET the twin, PATCH `/properties/reported`, PUT/DELETE the desired-notification subscription. The
 * twin is the one every transport shares, so `$version`s are those MQTT sees. Errors are the same JSON bodies MQTT
 * twin errors carry, with their HTTP status in `status`.
 */
export async function answerTwinRequest(twins: TwinCalls, identity: IdentityLinks, ctx: RequestContext, message: Message, gate?: RequestGate): Promise<TwinReply> {
  try {
    const annotations = (message.message_annotations ?? {}) as Record<string, unknown>;
    const operation = String(getOwn(annotations, 'operation') ?? '').toUpperCase();
    const resource = String(getOwn(annotations, 'resource') ?? '');
    if (operation === 'GET' && resource === '') {
      if (gate?.active) await gate.admit(ctx, { family: 'twinRead' });
      return { status: 200, body: JSON.stringify(twins.getDeviceTwin(identity.address)) };
    }
    if (operation === 'PATCH' && resource === '/properties/reported') {
      if (gate?.active) await gate.admit(ctx, { family: 'twinUpdate', bytes: bodyBytesOf(message.body).length });
      const version = await twins.patchReported(ctx, identity.address, reportedPatchOf(message));
      return { status: 204, body: '', version };
    }
    if ((operation === 'PUT' || operation === 'DELETE') && resource === DESIRED_NOTIFICATIONS) {
      identity.desiredSubscribed = operation === 'PUT';
      return { status: 200, body: '' };
    }
    throw argumentInvalid(`Twin operation '${operation}' on resource '${resource}' is not supported.`);
  } catch (error) {
    const { status, body } = toMqttError(error, new Date(ctx.time));
    return endsDeviceConnection(error) ? { status, body, closeWith: toAmqpError(error) } : { status, body };
  }
}

/** Sends a reply on the twin sender: correlation id echoed verbatim (Node looks it up by value), `status` annotation. */
export function sendTwinReply(sender: Sender, request: Message, reply: TwinReply): void {
  const annotations: Record<string, unknown> = { status: reply.status };
  if (reply.version !== undefined) annotations.version = reply.version;
  sender.send({
    correlation_id: request.correlation_id,
    message_annotations: annotations,
    body: rhea.message.data_section(Buffer.from(reply.body, 'utf8')),
  });
}

/** A desired-property notification: no correlation id, body = the change with its `$version` (§3.7). */
export function sendDesiredNotification(sender: Sender, body: JsonObject): void {
  sender.send({ body: rhea.message.data_section(Buffer.from(JSON.stringify(body), 'utf8')) });
}

/** The request's correlation id as text, for logs and the traffic view. */
export function twinRequestId(message: Message): string | undefined {
  return idText(message.correlation_id);
}

function reportedPatchOf(message: Message): JsonObject {
  const parsed = parseJsonPayload(bodyBytesOf(message.body));
  if (!parsed.ok) throw parsed.error;
  const literalError = checkIntegerLiteralsOf(parsed.text);
  if (literalError) throw literalError;
  return parseReportedPatch(parsed.value, 'literal');
}
