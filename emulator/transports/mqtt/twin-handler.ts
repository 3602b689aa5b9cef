import type { JsonObject } from '../../model/json.js';
import type { RequestContext } from '../../model/request-context.js';
import type { DeviceConnection } from './device-connection.js';
import type { GatewayCore, RequestHandler } from './gateway-core.js';
import { parseReportedPatch } from '../../twin/service-twin-body.js';
import { checkIntegerLiteralsOf } from '../../twin/validate-patch.js';
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

/** `$iothub/twin/GET/?$rid=…` → `res/200` with `{desired, reported}` (the GET body is ignored). */
export const handleTwinGet: RequestHandler<'twinGet'> = (core, { ctx, connection, request }) => {
  if (!connection.subscriptions.has(TWIN_RESPONSE_FILTER)) return;
  const { rid } = request;
  try {
    const body = core.deps.twins.getDeviceTwin(connection.owner);
    publishTo(core.deps, connection, { topic: twinResponseTopic(200, rid), payload: JSON.stringify(body), kind: 'twin', rid, status: 200 });
  } catch (error) {
    publishTwinError(core.deps, connection, ctx, rid, error, (status) => twinResponseTopic(status, rid));
  }
};

/** Reported PATCH → `res/204/?$rid=…&$version=<new>` with an empty body, after the write is durable. */
export const handleReportedPatch: RequestHandler<'twinPatchReported'> = (core, { ctx, connection, request, payload }) => {
  void patchReported(core, ctx, connection, request.rid, payload);
};

async function patchReported(core: GatewayCore, ctx: RequestContext, connection: DeviceConnection, rid: string, payload: Buffer): Promise<void> {
  const answer = connection.subscriptions.has(TWIN_RESPONSE_FILTER);
  try {
    const parsed = parseJsonPayload(payload);
    if (!parsed.ok) throw parsed.error;
    // Integer literals are checked in the text, where `1.0e16` (a float, accepted) differs from an integer.
    const literalError = checkIntegerLiteralsOf(parsed.text);
    if (literalError) throw literalError;
    const patch = parseReportedPatch(parsed.value, 'literal');
    const version = await core.deps.twins.patchReported(ctx, connection.owner, patch);
    if (answer) publishTo(core.deps, connection, { topic: twinResponseTopic(204, rid, version), payload: '', kind: 'twin', rid, status: 204 });
  } catch (error) {
    if (answer) publishTwinError(core.deps, connection, ctx, rid, error, (status) => twinResponseTopic(status, rid));
  }
}

/** Sends a desired change to a subscribed connection: body = change + `$version` (§4.4). */
export function deliverDesiredPatch(context: ReplyContext, connection: DeviceConnection, body: JsonObject, version: number): void {
  if (!connection.subscriptions.has(DESIRED_FILTER)) return;
  publishTo(context, connection, { topic: desiredPatchTopic(version), payload: JSON.stringify(body), kind: 'twin' });
}
