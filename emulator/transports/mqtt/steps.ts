// A tiny step runner in the manner of aedes' `connectActions` / `publishActions`: a protocol flow is a list of small
// named functions run in order (house-style H6). A step either lets the exchange go on (returns undefined) or ends it.

/** Ends the flow with `value`. */
export interface Stop<R> {
  readonly value: R;
}

/** One named step over a mutable exchange; returning a {@link Stop} ends the flow. */
export type Step<X, R> = (exchange: X) => Stop<R> | undefined;

/** Why a flow ended early: the value and the name of the step that ended it (for logs). */
export interface Stopped<R> extends Stop<R> {
  readonly by: string;
}

/** Ends a flow with `value`. */
export function stop<R>(value: R): Stop<R> {
  return { value };
}

/** Runs `steps` in order; undefined when every step let the exchange through. */
export function runSteps<X, R>(steps: readonly Step<X, R>[], exchange: X): Stopped<R> | undefined {
  for (const step of steps) {
    const result = step(exchange);
    if (result) return { value: result.value, by: step.name };
  }
  return undefined;
}
