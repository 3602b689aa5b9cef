import type { JsonObject, JsonValue } from '../model/json.js';
import type { BehaviourHost, DeviceChannel } from './behaviour-types.js';
import type { CompiledStep } from './device-model.js';
import type { TaskScope } from './task-scope.js';

/**
 * Runs steps in order inside `scope`: wait `afterMs`, report, and (last step only) disconnect. `input` is the desired
 * value or method payload that started them, visible to `{"kind": "input"}` values.
 */
export async function runSteps(
  steps: readonly CompiledStep[],
  input: JsonValue,
  scope: TaskScope,
  channel: DeviceChannel,
  host: BehaviourHost,
  why: string,
): Promise<void> {
  for (const step of steps) {
    await scope.sleep(step.afterMs);
    if (step.report) await report(channel, host, step.report({ input }), why);
    if (scope.cancelled) return;
    if (step.disconnect) host.goOffline(step.disconnect.offlineMs, step.disconnect.mode ?? 'graceful', why);
  }
}

/** Sends a reported patch; failures are recorded as activity, not thrown (a device keeps going). */
export async function report(channel: DeviceChannel, host: BehaviourHost, patch: JsonValue | undefined, why: string): Promise<void> {
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch) || Object.keys(patch).length === 0) return;
  try {
    await channel.patchReported(patch as JsonObject);
    host.activity('reported', `${why}: ${Object.keys(patch).join(', ')}`);
  } catch (error) {
    host.activity('error', `reported patch (${why}) failed: ${(error as Error).message}`);
  }
}
