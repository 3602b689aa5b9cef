import { z, type core } from 'zod';

import type { JsonPrimitive, JsonValue } from '../model/json.js';
import { checkTwinKey } from '../rules/hub-wording.js';

// The "property tree" of a profile: what a device reports, sends as telemetry or answers to a method. A leaf is a
// JSON primitive or array (a constant) or a generator object with a `kind`; an object without `kind` is a nested
// group of properties. Validation is hand-rolled for the recursive part (zod unions of recursive types give
// "Invalid input" with no field) and uses zod for each generator, so every error names its field.

/** A value that changes on every evaluation, declared as data. */
export type GeneratorSpec =
  | { readonly kind: 'constant'; readonly value: JsonValue }
  | { readonly kind: 'range'; readonly min: number; readonly max: number; readonly decimals?: number }
  | {
      readonly kind: 'randomWalk';
      readonly start: number;
      readonly step: number;
      readonly min: number;
      readonly max: number;
      readonly decimals?: number;
    }
  | { readonly kind: 'sequence'; readonly values: readonly JsonValue[]; readonly loop?: boolean }
  | { readonly kind: 'counter'; readonly start?: number; readonly step?: number }
  | { readonly kind: 'now' }
  | { readonly kind: 'input'; readonly path?: string }
  | { readonly kind: 'applied'; readonly property: string; readonly path?: string; readonly default?: JsonValue };

/** A leaf or a nested group of leaves. */
export type ValueSpec = JsonPrimitive | readonly JsonValue[] | GeneratorSpec | PropertyTree;

/** Named values, possibly nested (a twin section or a JSON body). */
export interface PropertyTree {
  readonly [name: string]: ValueSpec;
}

/** A problem found in a profile: where (path of keys) and what. */
export interface SpecIssue {
  readonly path: readonly (string | number)[];
  readonly message: string;
}

/** Where a tree is used decides what it may contain. */
export interface TreeRules {
  /** `input` (the desired value or method payload that triggered the action) is only known in reactions. */
  readonly allowInput: boolean;
  /** Twin property names must follow the twin key rules; telemetry and method payloads need not. */
  readonly twinKeys: boolean;
}

const decimals = z.int({ error: 'must be a whole number from 0 to 10' }).min(0).max(10);
const finite = z.number({ error: 'must be a number' });
const dottedPath = z.string({ error: 'must be a dotted path such as "a.b"' });

const generatorSchema = z.discriminatedUnion(
  'kind',
  [
    z.strictObject({ kind: z.literal('constant'), value: z.json({ error: 'must be a JSON value' }) }),
    z
      .strictObject({ kind: z.literal('range'), min: finite, max: finite, decimals: decimals.optional() })
      .refine((g) => g.min <= g.max, { message: 'must not be greater than max', path: ['min'] }),
    z
      .strictObject({
        kind: z.literal('randomWalk'),
        start: finite,
        step: finite.positive({ error: 'must be greater than 0' }),
        min: finite,
        max: finite,
        decimals: decimals.optional(),
      })
      .refine((g) => g.min <= g.max, { message: 'must not be greater than max', path: ['min'] })
      .refine((g) => g.start >= g.min && g.start <= g.max, { message: 'must lie between min and max', path: ['start'] }),
    z.strictObject({
      kind: z.literal('sequence'),
      values: z.array(z.json()).min(1, { error: 'must list at least one value' }),
      loop: z.boolean({ error: 'must be true or false' }).optional(),
    }),
    z.strictObject({ kind: z.literal('counter'), start: finite.optional(), step: finite.optional() }),
    z.strictObject({ kind: z.literal('now') }),
    z.strictObject({ kind: z.literal('input'), path: dottedPath.optional() }),
    z.strictObject({
      kind: z.literal('applied'),
      property: z.string({ error: 'must name a desired property' }).min(1, { error: 'must name a desired property' }),
      path: dottedPath.optional(),
      default: z.json({ error: 'must be a JSON value' }).optional(),
    }),
  ],
  { error: 'must be one of constant, range, randomWalk, sequence, counter, now, input, applied' },
);

const MAX_DEPTH = 10;

/** Checks a value spec; returns every problem found (empty when valid). */
export function checkValueSpec(value: unknown, rules: TreeRules, path: readonly (string | number)[] = []): SpecIssue[] {
  const issues: SpecIssue[] = [];
  walk(value, rules, [...path], 0, issues);
  return issues;
}

function walk(value: unknown, rules: TreeRules, path: (string | number)[], depth: number, issues: SpecIssue[]): void {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) issues.push({ path, message: 'must be a finite number' });
    return;
  }
  if (Array.isArray(value)) {
    if (!z.json().safeParse(value).success) issues.push({ path, message: 'must contain only JSON values' });
    return;
  }
  if (typeof value !== 'object') {
    issues.push({ path, message: 'must be a JSON value or a generator object with "kind"' });
    return;
  }
  if ('kind' in value) {
    checkGenerator(value, rules, path, issues);
    return;
  }
  if (depth >= MAX_DEPTH) {
    issues.push({ path, message: `nests deeper than ${MAX_DEPTH} levels (the twin limit)` });
    return;
  }
  for (const [key, child] of Object.entries(value)) {
    if (rules.twinKeys) {
      const keyError = checkTwinKey(key, [...path, key].join('.'));
      if (keyError) issues.push({ path: [...path, key], message: twinKeyMessage(keyError.message) });
    }
    walk(child, rules, [...path, key], depth + 1, issues);
  }
}

function checkGenerator(value: object, rules: TreeRules, path: (string | number)[], issues: SpecIssue[]): void {
  const parsed = generatorSchema.safeParse(value, { reportInput: true });
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      for (const found of fromZodIssue(issue)) issues.push({ path: [...path, ...found.path], message: found.message });
    }
    return;
  }
  if (parsed.data.kind === 'input' && !rules.allowInput) {
    issues.push({
      path: [...path, 'kind'],
      message: '"input" is only allowed in desired-property steps and method payloads',
    });
  }
}

/** A zod issue as messages that name the field ("x: is not a known field" rather than "Unrecognized key"). */
export function fromZodIssue(issue: core.$ZodIssue): SpecIssue[] {
  const path = issue.path.map((key) => (typeof key === 'number' ? key : String(key)));
  switch (issue.code) {
    case 'unrecognized_keys':
      return issue.keys.map((key) => ({ path: [...path, key], message: 'is not a known field' }));
    case 'invalid_key':
      return [{ path, message: issue.issues[0]?.message ?? 'is not a valid name' }];
    case 'invalid_type':
      // A missing field reads better as "is required" than as the type it should have had.
      return [{ path, message: issue.input === undefined ? 'is required' : issue.message }];
    default:
      return [{ path, message: issue.message }];
  }
}

/** True when `value` is a generator object (as opposed to a nested group or a constant). */
export function isGeneratorSpec(value: ValueSpec): value is GeneratorSpec {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && 'kind' in value;
}

/** "is not a valid twin property name: names must not contain '.'" from the hub's own key check message. */
export function twinKeyMessage(hubMessage: string): string {
  const reason = hubMessage.includes(': ') ? hubMessage.slice(hubMessage.indexOf(': ') + 2) : hubMessage;
  return `is not a valid twin property name: ${reason.replace(/\.$/, '')}`;
}
