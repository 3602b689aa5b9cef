import type { Principal, RequestContext, RequestProtocol } from '../model/request-context.js';
import type { Clock } from '../util/clock.js';

let sequence = 0;

/**
 * Builds the context of a request as it enters the hub (house-style H11): its time is read from the injected clock
 * exactly once, here (or is the `time` the edge already read, e.g. for its error replies). Without a correlation id
 * from the wire (`$rid`, a REST request id), one is made up that is unique within the process.
 */
export function requestContext(
  clock: Clock,
  input: { principal: Principal; operation: string; protocol: RequestProtocol; correlationId?: string | undefined; time?: Date },
): RequestContext {
  sequence += 1;
  return {
    time: (input.time ?? clock.now()).toISOString(),
    correlationId: input.correlationId ?? `${input.protocol}-${sequence.toString(36)}`,
    principal: input.principal,
    operation: input.operation,
    protocol: input.protocol,
  };
}

/** The request's time (captured once at the edge), or now for callers that come without a context. */
export function timeOf(ctx: RequestContext | undefined, clock: Clock): string {
  return ctx?.time ?? clock.now().toISOString();
}
