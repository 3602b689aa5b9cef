import { QueryError } from '../../emulator/index.js';
import { isInvokeChannel, requestSchemas, type InvokeChannel } from '../contract/channels.js';
import { fail, ok, type Envelope, type IpcError } from '../contract/errors.js';
import type { HandlerContext, HandlerTable } from './handler-types.js';
import { StudioError } from './studio-error.js';

/**
 * The one path from an untrusted request to a handler (house-style H8, H15): unknown channels and payloads that
 * fail the contract's schema are refused before any handler runs, and every outcome becomes an envelope.
 */
export async function dispatch(
  table: HandlerTable,
  context: HandlerContext,
  channel: unknown,
  payload: unknown,
): Promise<Envelope<unknown>> {
  if (!isInvokeChannel(channel)) return fail('UnknownChannel', `Unknown channel '${String(channel).slice(0, 100)}'.`);
  const parsed = requestSchemas[channel].safeParse(payload ?? {});
  if (!parsed.success) {
    const issues = parsed.error.issues.slice(0, 10).map((issue) => ({ path: issue.path.join('.'), message: issue.message }));
    const first = issues[0];
    return fail('InvalidPayload', `Invalid request for ${channel}${first ? `: ${first.path || '(root)'} ${first.message}` : ''}.`, {
      details: { issues },
    });
  }
  try {
    return ok(await invoke(table, channel, parsed.data, context));
  } catch (error) {
    return { ok: false, error: toIpcError(error) };
  }
}

function invoke(table: HandlerTable, channel: InvokeChannel, request: unknown, context: HandlerContext): Promise<unknown> {
  // The schema for `channel` produced `request`, so it is the handler's request type; TypeScript cannot correlate
  // the union of channels with the union of handlers.
  const handler = table[channel] as (req: unknown, ctx: HandlerContext) => Promise<unknown>;
  return handler(request, context);
}

/** Maps anything thrown by a handler to a serializable error that keeps the hub's code and status. */
export function toIpcError(error: unknown): IpcError {
  if (error instanceof StudioError) {
    return { code: error.code, message: error.message, ...(error.details ? { details: error.details } : {}) };
  }
  if (error instanceof QueryError) {
    return {
      code: 'QueryError',
      message: error.message,
      httpStatus: 400,
      details: { position: error.position, length: error.length, kind: error.name },
    };
  }
  if (isHubError(error)) {
    return { code: error.code, message: error.message, httpStatus: error.httpStatus, errorCode: error.errorCode };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { code: 'InternalError', message };
}

interface HubErrorShape {
  readonly code: string;
  readonly message: string;
  readonly httpStatus: number;
  readonly errorCode: number;
}

/** IotHubError, recognised by shape so a second copy of the emulator module (tests, bundles) maps the same. */
function isHubError(error: unknown): error is HubErrorShape {
  if (!(error instanceof Error)) return false;
  const candidate = error as Partial<HubErrorShape>;
  return typeof candidate.code === 'string' && typeof candidate.httpStatus === 'number' && typeof candidate.errorCode === 'number';
}
