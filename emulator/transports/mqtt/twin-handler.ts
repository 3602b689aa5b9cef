import { requestContext } from '../../services/request-contexts.js';
import type { TwinService } from '../../services/twin-service.js';
import type { Clock } from '../../util/clock.js';
import type { DeviceConnection } from './device-connection.js';
import { parseJsonPayload } from './json-payload.js';
import { publishTo, publishTwinError, type ReplyContext } from './reply.js';
import { desiredPatchTopic, twinResponseTopic } from './topics.js';

// Twin over MQTT (iothub-protocol.md §4): GET, reported PATCH, desired notifications. Every `$rid` is answered,
// always with a JSON body or an empty one, because the Node SDK has no timeout and JSON.parses without a catch
// (sdk-notes.md §6.3-6.4).

/** Topic filter a device subscribes to for twin responses. */
export const TWIN_RESPONSE_FILTER = '$iothub/twin/res/#';
/** Topic filter a device subscribes to for desired-property notifications. */
export const DESIRED_FILTER = '$iothub/twin/PATCH/properties/desired/#';

/** Dependencies of the twin handlers. */
export interface TwinHandlerContext extends ReplyContext {
  readonly twins: TwinService;
  readonly clock: Clock;
}

/** `$iothub/twin/GET/?$rid=…` → `res/200` with `{desired, reported}` (the GET body is ignored). */
export function handleTwinGet(context: TwinHandlerContext, connection: DeviceConnection, rid: string): void {
  if (!connection.subscriptions.has(TWIN_RESPONSE_FILTER)) return;
  try {
    const body = context.twins.getDeviceTwin(connection.owner);
    publishTo(context, connection, {
      topic: twinResponseTopic(200, rid),
      payload: JSON.stringify(body),
      kind: 'twin',
      rid,
      status: 200,
    });
  } catch (error) {
    publishTwinError(context, connection, rid, error, (status) => twinResponseTopic(status, rid));
  }
}

/** Reported PATCH → `res/204/?$rid=…&$version=<new>` with an empty body, after the write is durable. */
export async function handleReportedPatch(
  context: TwinHandlerContext,
  connection: DeviceConnection,
  rid: string,
  payload: Buffer,
): Promise<void> {
  const answer = connection.subscriptions.has(TWIN_RESPONSE_FILTER);
  try {
    const parsed = parseJsonPayload(payload);
    if (!parsed.ok) throw parsed.error;
    const ctx = requestContext(context.clock, { principal: { kind: 'device', ...connection.owner }, operation: 'twin.patchReported', protocol: 'mqtt', correlationId: rid });
    const version = await context.twins.patchReported(ctx, connection.owner, parsed.value);
    if (answer) {
      publishTo(context, connection, { topic: twinResponseTopic(204, rid, version), payload: '', kind: 'twin', rid, status: 204 });
    }
  } catch (error) {
    if (answer) publishTwinError(context, connection, rid, error, (status) => twinResponseTopic(status, rid));
  }
}

/** Sends a desired change to a subscribed connection: body = change + `$version` (§4.4). */
export function deliverDesiredPatch(
  context: ReplyContext,
  connection: DeviceConnection,
  body: object,
  version: number,
): void {
  if (!connection.subscriptions.has(DESIRED_FILTER)) return;
  publishTo(context, connection, { topic: desiredPatchTopic(version), payload: JSON.stringify(body), kind: 'twin' });
}
