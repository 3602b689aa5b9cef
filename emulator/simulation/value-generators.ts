import type { JsonObject, JsonValue } from '../model/json.js';
import type { Clock } from '../util/clock.js';
import { randomFor, type Random } from './seeded-random.js';
import { isGeneratorSpec, type GeneratorSpec, type ValueSpec } from './value-schema.js';

/** What a generator may look at when it runs. */
export interface GenerateContext {
  /** The desired value or method payload that triggered a reaction; undefined elsewhere. */
  readonly input?: JsonValue;
}

/** Produces the next value; `undefined` means "leave this property out". */
export type Generate = (context: GenerateContext) => JsonValue | undefined;

/** Where generators take their seed and time from. */
export interface GeneratorEnvironment {
  readonly seed: number;
  readonly deviceId: string;
  readonly clock: Clock;
  /** The value the device has applied for a desired property (its own state), if any. */
  readonly applied: (property: string) => JsonValue | undefined;
}

/**
 * Compiles a value spec once into a closure that keeps each generator's state (walk position, sequence index,
 * counter), so a random walk continues across reports and reconnects instead of restarting. `scope` names the
 * spec's place in the profile (e.g. `reported.every[0]`) and seeds each generator's own random stream.
 */
export function compileValueSpec(spec: ValueSpec, environment: GeneratorEnvironment, scope: string): Generate {
  if (spec === null || typeof spec !== 'object') return () => spec;
  if (Array.isArray(spec)) {
    const copy = structuredClone(spec) as JsonValue[];
    return () => structuredClone(copy);
  }
  if (isGeneratorSpec(spec)) return compileGenerator(spec, environment, scope);
  const children = Object.entries(spec).map(([key, child]) => [key, compileValueSpec(child, environment, `${scope}.${key}`)] as const);
  return (context) => {
    const result: JsonObject = {};
    for (const [key, generate] of children) {
      const value = generate(context);
      if (value !== undefined) result[key] = value;
    }
    return result;
  };
}

function compileGenerator(spec: GeneratorSpec, environment: GeneratorEnvironment, scope: string): Generate {
  const random = (): Random => randomFor(environment.seed, environment.deviceId, scope);
  switch (spec.kind) {
    case 'constant': {
      const value = spec.value;
      return () => structuredClone(value);
    }
    case 'range':
      return rangeGenerator(spec.min, spec.max, spec.decimals ?? 2, random());
    case 'randomWalk':
      return randomWalkGenerator(spec, random());
    case 'sequence':
      return sequenceGenerator(spec.values, spec.loop ?? true);
    case 'counter': {
      let next = spec.start ?? 0;
      const step = spec.step ?? 1;
      return () => {
        const value = next;
        next += step;
        return value;
      };
    }
    case 'now':
      return () => environment.clock.now().toISOString();
    case 'input':
      return (context) => readPath(context.input, spec.path);
    case 'applied':
      return () => readPath(environment.applied(spec.property), spec.path) ?? (spec.default === undefined ? undefined : structuredClone(spec.default));
  }
}

function rangeGenerator(min: number, max: number, decimals: number, random: Random): Generate {
  if (decimals === 0) {
    const low = Math.ceil(min);
    const span = Math.floor(max) - low + 1;
    return () => low + Math.floor(random() * span);
  }
  return () => round(min + random() * (max - min), decimals);
}

function randomWalkGenerator(spec: Extract<GeneratorSpec, { kind: 'randomWalk' }>, random: Random): Generate {
  const decimals = spec.decimals ?? 2;
  let position: number | undefined;
  return () => {
    if (position === undefined) {
      position = spec.start;
    } else {
      let next = position + (random() * 2 - 1) * spec.step;
      // Reflect at the bounds rather than clamping, so the walk does not stick to a wall.
      if (next > spec.max) next = spec.max - (next - spec.max);
      if (next < spec.min) next = spec.min + (spec.min - next);
      position = Math.min(spec.max, Math.max(spec.min, next));
    }
    return round(position, decimals);
  };
}

function sequenceGenerator(values: readonly JsonValue[], loop: boolean): Generate {
  let index = 0;
  return () => {
    const value = values[index] ?? null;
    index = index + 1 < values.length ? index + 1 : loop ? 0 : index;
    return structuredClone(value);
  };
}

/** `a.b` inside a JSON value; the whole value when `path` is empty or absent. */
export function readPath(value: JsonValue | undefined, path: string | undefined): JsonValue | undefined {
  if (path === undefined || path === '') return value;
  let current: JsonValue | undefined = value;
  for (const key of path.split('.')) {
    if (typeof current !== 'object' || current === null || Array.isArray(current) || !Object.hasOwn(current, key)) return undefined;
    current = current[key];
  }
  return current;
}

function round(value: number, decimals: number): number {
  const factor = 10 ** decimals;
  return Math.round(value * factor) / factor;
}
