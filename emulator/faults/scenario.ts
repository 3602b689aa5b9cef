import { isJsonObject, type JsonValue } from '../model/json.js';
import { FaultSpecError, parseFaultSpec, type FaultSpec } from './fault-spec.js';

/** One timed step of a scenario: at `at` ms after the scenario starts, apply the fault. */
export interface ScenarioStep {
  readonly at: number;
  readonly spec: FaultSpec;
}

/**
 * A fault timeline (a JSON scenario file): `seed` fixes every random choice (QoS 0 loss, jitter), the steps run in
 * order of `at` (steps with the same `at` in file order), so replaying a file replays the same faults.
 */
export interface FaultScenario {
  readonly name?: string;
  readonly seed: number;
  readonly steps: readonly ScenarioStep[];
}

/** At most this many steps (a scenario is a schedule, not a load generator). */
export const MAX_SCENARIO_STEPS = 10_000;
const MAX_AT_MS = 86_400_000;

/**
 * Parses a scenario file's text. Bad input throws {@link FaultSpecError} whose message starts with the file (when
 * given) and the path of the bad field, e.g. `faults.json: steps[2].fraction: must be a number from 0 to 1`.
 */
export function parseScenario(text: string, source?: string): FaultScenario {
  try {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      throw new FaultSpecError('(file)', `is not JSON: ${(error as Error).message}`);
    }
    return scenarioOf(json);
  } catch (error) {
    if (error instanceof FaultSpecError && source !== undefined) throw new FaultSpecError(`${source}: ${error.path}`, error.problem);
    throw error;
  }
}

/** Checks a scenario given as a value (the front door's `faults.runScenario`). */
export function scenarioOf(json: unknown): FaultScenario {
  if (!isJsonObject(json as JsonValue)) throw new FaultSpecError('(root)', 'must be an object with "seed" and "steps"');
  const root = json as Readonly<Record<string, unknown>>;
  for (const key of Object.keys(root)) if (!['name', 'seed', 'steps'].includes(key)) throw new FaultSpecError(key, 'is not a scenario field (fields: name, seed, steps)');
  if (root.name !== undefined && (typeof root.name !== 'string' || root.name.length > 256)) throw new FaultSpecError('name', 'must be a string of at most 256 characters');
  const seed = root.seed ?? 1;
  if (typeof seed !== 'number' || !Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new FaultSpecError('seed', `must be a whole number from 0 to 4294967295, got ${JSON.stringify(seed)}`);
  if (!Array.isArray(root.steps)) throw new FaultSpecError('steps', 'must be an array of steps');
  if (root.steps.length > MAX_SCENARIO_STEPS) throw new FaultSpecError('steps', `has ${root.steps.length} steps; at most ${MAX_SCENARIO_STEPS} are allowed`);
  const steps = root.steps.map((raw: unknown, index) => {
    const path = `steps[${index}]`;
    if (!isJsonObject(raw as JsonValue)) throw new FaultSpecError(path, 'must be an object like {"at": 0, "fault": "drop", "device": "d1"}');
    const at = (raw as Readonly<Record<string, unknown>>).at;
    if (typeof at !== 'number' || !Number.isInteger(at) || at < 0 || at > MAX_AT_MS) throw new FaultSpecError(`${path}.at`, `must be a whole number of milliseconds from 0 to ${MAX_AT_MS}, got ${JSON.stringify(at)}`);
    return { at, spec: parseFaultSpec(raw, path, ['at']), index };
  });
  // A stable sort: steps at the same time keep their file order.
  steps.sort((a, b) => a.at - b.at || a.index - b.index);
  return { ...(typeof root.name === 'string' ? { name: root.name } : {}), seed, steps: steps.map(({ at, spec }) => ({ at, spec })) };
}
