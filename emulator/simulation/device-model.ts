import type { JsonValue } from '../model/json.js';
import type { Clock } from '../util/clock.js';
import type { AckMode, Condition, MethodHandler, Profile, RejectRule, Step } from './profile-schema.js';
import { hashSeed } from './seeded-random.js';
import { compileValueSpec, readPath, type Generate, type GeneratorEnvironment } from './value-generators.js';

/** A step with its report compiled. */
export interface CompiledStep {
  readonly afterMs: number;
  readonly report?: Generate;
  readonly disconnect?: Step['disconnect'];
}

/** How one desired property is handled, with the profile defaults filled in. */
export interface DesiredReaction {
  readonly delayMs: number;
  readonly ack: AckMode;
  readonly pending: boolean;
  readonly description: string;
  readonly reject: readonly RejectRule[];
  readonly steps: readonly CompiledStep[];
}

/** How one direct method is answered. */
export interface MethodReaction {
  readonly status: number;
  readonly payload: Generate;
  readonly delayMs: number;
  readonly noAnswer: boolean;
  readonly steps: readonly CompiledStep[];
}

/**
 * A profile compiled for one device, plus the device's own state: generator positions and the desired values it has
 * applied. It lives as long as the simulated device, across reconnects, so walks continue and a device that
 * rebooted still knows its settings.
 */
export class DeviceModel {
  /** Desired values this device has applied (its settings), by top-level property name. */
  readonly applied = new Map<string, JsonValue>();
  readonly onStart: Generate | undefined;
  readonly periodic: readonly { readonly intervalMs: number; readonly generate: Generate }[];
  readonly telemetry: { readonly intervalMs: number; readonly body: Generate; readonly options: TelemetryDefaults } | undefined;
  readonly syncOnConnect: boolean;
  private readonly desiredReactions: ReadonlyMap<string, DesiredReaction>;
  private readonly otherDesired: DesiredReaction | undefined;
  private readonly methodReactions = new Map<string, MethodReaction>();
  private readonly unknownMethod: MethodReaction;

  constructor(
    readonly profile: Profile,
    readonly deviceId: string,
    clock: Clock,
  ) {
    const env: GeneratorEnvironment = {
      seed: profile.seed ?? hashSeed(profile.name),
      deviceId,
      clock,
      applied: (property) => this.applied.get(property),
    };
    const compile: Compile = (spec, scope) => compileValueSpec(spec, env, scope);
    this.onStart = profile.reported?.onStart ? compile(profile.reported.onStart, 'reported.onStart') : undefined;
    this.periodic = (profile.reported?.every ?? []).map((entry, i) => ({
      intervalMs: entry.intervalMs,
      generate: compile(entry.properties, `reported.every[${i}]`),
    }));
    this.telemetry = compileTelemetry(profile.telemetry, compile);
    this.syncOnConnect = profile.desired?.syncOnConnect ?? true;
    const desired = compileDesired(profile.desired, compile);
    this.desiredReactions = desired.reactions;
    this.otherDesired = desired.others;
    for (const [name, handler] of Object.entries(profile.methods ?? {})) {
      this.methodReactions.set(name, compileMethod(handler, compile, `methods.${name}`));
    }
    const unknown = profile.unknownMethod;
    this.unknownMethod =
      unknown === 'ignore'
        ? { status: 0, payload: () => null, delayMs: 0, noAnswer: true, steps: [] }
        : compileMethod(unknown ?? { status: 501, payload: { message: 'method not implemented by this simulated device' } }, compile, 'unknownMethod');
  }

  /** The reaction to a desired property, or undefined when the profile ignores it. */
  desiredReaction(property: string): DesiredReaction | undefined {
    return this.desiredReactions.get(property) ?? this.otherDesired;
  }

  /** The reaction to a method (the `unknownMethod` one for names the profile does not list). */
  methodReaction(name: string): MethodReaction {
    return this.methodReactions.get(name) ?? this.unknownMethod;
  }
}

/** Telemetry system and application properties. */
export interface TelemetryDefaults {
  readonly contentType: string;
  readonly contentEncoding: string;
  readonly properties: Readonly<Record<string, string>>;
}

type Compile = (spec: Parameters<typeof compileValueSpec>[0], scope: string) => Generate;

function compileTelemetry(telemetry: Profile['telemetry'], compile: Compile): DeviceModel['telemetry'] {
  if (!telemetry) return undefined;
  return {
    intervalMs: telemetry.intervalMs,
    body: compile(telemetry.body ?? null, 'telemetry.body'),
    options: {
      contentType: telemetry.contentType ?? 'application/json',
      contentEncoding: telemetry.contentEncoding ?? 'utf-8',
      properties: telemetry.properties ?? {},
    },
  };
}

/** Each listed desired property with the section's defaults filled in, and the reaction for the others. */
function compileDesired(desired: Profile['desired'], compile: Compile): { reactions: Map<string, DesiredReaction>; others: DesiredReaction | undefined } {
  const defaults = { delayMs: desired?.delayMs ?? 0, ack: desired?.ack ?? 'pnp' } as const;
  const reactions = new Map<string, DesiredReaction>();
  for (const [name, handler] of Object.entries(desired?.properties ?? {})) {
    reactions.set(name, {
      delayMs: handler.delayMs ?? defaults.delayMs,
      ack: handler.ack ?? defaults.ack,
      pending: handler.pending ?? false,
      description: handler.description ?? 'applied',
      reject: handler.reject ?? [],
      steps: (handler.steps ?? []).map((step, i) => compileStep(step, compile, `desired.properties.${name}.steps[${i}]`)),
    });
  }
  const others = (desired?.others ?? 'apply') === 'apply' ? { ...defaults, pending: false, description: 'applied', reject: [], steps: [] } : undefined;
  return { reactions, others };
}

function compileStep(step: Step, compile: Compile, scope: string): CompiledStep {
  return {
    afterMs: step.afterMs ?? 0,
    ...(step.report ? { report: compile(step.report, `${scope}.report`) } : {}),
    ...(step.disconnect ? { disconnect: step.disconnect } : {}),
  };
}

function compileMethod(handler: Pick<MethodHandler, 'payload'> & Partial<MethodHandler>, compile: Compile, scope: string): MethodReaction {
  return {
    status: handler.status ?? 200,
    payload: compile(handler.payload ?? null, `${scope}.payload`),
    delayMs: handler.delayMs ?? 0,
    noAnswer: handler.noAnswer ?? false,
    steps: (handler.steps ?? []).map((step, i) => compileStep(step, compile, `${scope}.steps[${i}]`)),
  };
}

/** The first reject rule whose test holds for `value`, if any. */
export function findRejection(rules: readonly RejectRule[], value: JsonValue): RejectRule | undefined {
  return rules.find((rule) => conditionHolds(rule.when, value));
}

/** A condition holds when any of its tests does. */
export function conditionHolds(condition: Condition, value: JsonValue): boolean {
  const subject = readPath(value, condition.path);
  const { below, above, equals, oneOf, notOneOf, notType } = condition;
  if (below !== undefined && typeof subject === 'number' && subject < below) return true;
  if (above !== undefined && typeof subject === 'number' && subject > above) return true;
  if (equals !== undefined && deepEqual(subject, equals)) return true;
  if (oneOf !== undefined && oneOf.some((candidate) => deepEqual(subject, candidate))) return true;
  if (notOneOf !== undefined && !notOneOf.some((candidate) => deepEqual(subject, candidate))) return true;
  if (notType !== undefined && jsonType(subject) !== notType) return true;
  return false;
}

function jsonType(value: JsonValue | undefined): string {
  if (value === undefined) return 'undefined';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

/** Structural equality of JSON values (key order ignored). */
export function deepEqual(a: JsonValue | undefined, b: JsonValue | undefined): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((item, i) => deepEqual(item, b[i]));
  }
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((key) => Object.hasOwn(b, key) && deepEqual(a[key], b[key]));
}
