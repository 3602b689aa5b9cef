import { z } from 'zod';

import { checkTwinKey } from '../rules/hub-wording.js';
import { checkValueSpec, twinKeyMessage, type PropertyTree, type TreeRules, type ValueSpec } from './value-schema.js';

// The schema of a simulation profile (see assets/profiles/README.md for a guided tour). Every object is strict, so
// a misspelt field is reported by name instead of being ignored.

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** Milliseconds between `min` and `max`. */
function ms(min: number, max: number) {
  return z
    .int({ error: 'must be a whole number of milliseconds' })
    .min(min, { error: `must be at least ${min} ms` })
    .max(max, { error: `must be at most ${max} ms` });
}

const REPORTED_TREE: TreeRules = { allowInput: false, twinKeys: true };
const REACTION_TREE: TreeRules = { allowInput: true, twinKeys: true };
const TELEMETRY_BODY: TreeRules = { allowInput: false, twinKeys: false };
const METHOD_PAYLOAD: TreeRules = { allowInput: true, twinKeys: false };

/** Any value spec (leaf or group). */
function valueSpec(rules: TreeRules) {
  return z
    .unknown()
    .superRefine((value, ctx) => {
      if (value === undefined) return;
      for (const issue of checkValueSpec(value, rules)) ctx.addIssue({ code: 'custom', message: issue.message, path: [...issue.path] });
    })
    .transform((value) => value as ValueSpec | undefined);
}

/** A group of named properties (not a leaf). */
function propertyTree(rules: TreeRules) {
  return z
    .unknown()
    .superRefine((value, ctx) => {
      if (value === undefined) {
        ctx.addIssue({ code: 'custom', message: 'is required' });
      } else if (typeof value !== 'object' || value === null || Array.isArray(value) || 'kind' in value) {
        ctx.addIssue({ code: 'custom', message: 'must be an object of named properties' });
      } else {
        for (const issue of checkValueSpec(value, rules)) ctx.addIssue({ code: 'custom', message: issue.message, path: [...issue.path] });
      }
    })
    .transform((value) => value as PropertyTree);
}

const twinPropertyName = z.string().superRefine((key, ctx) => {
  const error = checkTwinKey(key, key);
  if (error) ctx.addIssue({ code: 'custom', message: twinKeyMessage(error.message) });
});

/** Printable US-ASCII except `$ ( ) < > @ , ; : \ " / [ ] ? = { }`, space and tab (iothub-protocol.md §5.1). */
const methodName = z.string().regex(/^[!#%&'*+\-.0-9A-Z^_`a-z|~]{1,128}$/, {
  error: 'is not a valid method name (printable ASCII without spaces or $()<>@,;:\\"/[]?={})',
});

const ackMode = z.enum(['pnp', 'mirror', 'none'], { error: 'must be "pnp", "mirror" or "none"' });
const jsonType = z.enum(['number', 'string', 'boolean', 'object', 'array', 'null'], {
  error: 'must be one of number, string, boolean, object, array, null',
});

const condition = z
  .strictObject({
    path: z.string().optional(),
    below: z.number().optional(),
    above: z.number().optional(),
    equals: z.json().optional(),
    oneOf: z.array(z.json()).optional(),
    notOneOf: z.array(z.json()).optional(),
    notType: jsonType.optional(),
  })
  .refine((c) => [c.below, c.above, c.equals, c.oneOf, c.notOneOf, c.notType].some((test) => test !== undefined), {
    message: 'needs at least one test: below, above, equals, oneOf, notOneOf or notType',
  });

const rejectRule = z.strictObject({
  when: condition,
  status: z.int({ error: 'must be a whole number' }).min(400, { error: 'must be a 4xx or 5xx code' }).max(599, { error: 'must be a 4xx or 5xx code' }).optional(),
  description: z.string().optional(),
});

const disconnect = z.strictObject({
  offlineMs: ms(0, DAY_MS),
  mode: z.enum(['graceful', 'drop'], { error: 'must be "graceful" or "drop"' }).optional(),
});

const step = z
  .strictObject({ afterMs: ms(0, DAY_MS).optional(), report: propertyTree(REACTION_TREE).optional(), disconnect: disconnect.optional() })
  .refine((s) => s.report !== undefined || s.disconnect !== undefined, { message: 'needs "report" or "disconnect"' });

/** Steps run in order; a disconnect ends the connection, so nothing may follow it. */
const steps = z.array(step).superRefine((list, ctx) => {
  list.forEach((item, index) => {
    if (item.disconnect !== undefined && index < list.length - 1) {
      ctx.addIssue({ code: 'custom', message: 'must be in the last step (nothing runs after the connection ends)', path: [index, 'disconnect'] });
    }
  });
});

const desiredHandler = z.strictObject({
  delayMs: ms(0, DAY_MS).optional(),
  ack: ackMode.optional(),
  pending: z.boolean().optional(),
  description: z.string().optional(),
  reject: z.array(rejectRule).optional(),
  steps: steps.optional(),
});

const desired = z.strictObject({
  delayMs: ms(0, DAY_MS).optional(),
  ack: ackMode.optional(),
  others: z.enum(['apply', 'ignore'], { error: 'must be "apply" or "ignore"' }).optional(),
  syncOnConnect: z.boolean().optional(),
  properties: z.record(twinPropertyName, desiredHandler).optional(),
});

const methodHandler = z.strictObject({
  status: z.int({ error: 'must be a whole number' }).optional(),
  payload: valueSpec(METHOD_PAYLOAD).optional(),
  delayMs: ms(0, 300_000).optional(),
  noAnswer: z.boolean().optional(),
  steps: steps.optional(),
});

const telemetry = z.strictObject({
  intervalMs: ms(100, DAY_MS),
  body: valueSpec(TELEMETRY_BODY).refine((body) => body !== undefined, { message: 'is required' }),
  properties: z.record(z.string().min(1), z.string()).optional(),
  contentType: z.string().optional(),
  contentEncoding: z.string().optional(),
});

const reported = z.strictObject({
  onStart: propertyTree(REPORTED_TREE).optional(),
  every: z.array(z.strictObject({ intervalMs: ms(100, DAY_MS), properties: propertyTree(REPORTED_TREE) })).optional(),
});

/** The profile schema; {@link parseProfile} turns its issues into messages that name the field. */
export const profileSchema = z.strictObject({
  $schema: z.string().optional(),
  name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9 _.-]{0,63}$/, {
    error: 'must be 1-64 letters, digits, spaces, "-", "_" or "." and start with a letter or digit',
  }),
  description: z.string().optional(),
  modelId: z.string().regex(/^dtmi:[A-Za-z0-9_:]+;[1-9][0-9]*$/, { error: 'must be a DTMI such as "dtmi:com:example:Thermostat;1"' }).optional(),
  seed: z.int({ error: 'must be a whole number' }).optional(),
  reported: reported.optional(),
  telemetry: telemetry.optional(),
  desired: desired.optional(),
  methods: z.record(methodName, methodHandler).optional(),
  unknownMethod: z
    .union([z.literal('ignore'), z.strictObject({ status: z.int({ error: 'must be a whole number' }), payload: valueSpec(METHOD_PAYLOAD).optional() })], {
      error: 'must be "ignore" or {status, payload}',
    })
    .optional(),
  connectivity: z
    .strictObject({
      onlineMs: ms(1000, 30 * DAY_MS),
      offlineMs: ms(0, DAY_MS),
      mode: z.enum(['graceful', 'drop'], { error: 'must be "graceful" or "drop"' }).optional(),
    })
    .optional(),
  faults: z
    .strictObject({
      dropConnection: z.strictObject({ everyMs: ms(1000, 30 * DAY_MS), jitterMs: ms(0, DAY_MS).optional(), offlineMs: ms(0, DAY_MS) }).optional(),
    })
    .optional(),
});

/** A validated simulation profile. */
export type Profile = z.output<typeof profileSchema>;
/** How a device answers one desired property. */
export type DesiredHandler = z.output<typeof desiredHandler>;
/** A condition under which a desired value is rejected. */
export type RejectRule = z.output<typeof rejectRule>;
/** The test part of a reject rule. */
export type Condition = z.output<typeof condition>;
/** One timed action after a desired change or a method call. */
export type Step = z.output<typeof step>;
/** How a device answers one direct method. */
export type MethodHandler = z.output<typeof methodHandler>;
/** Acknowledgement style for desired properties. */
export type AckMode = z.output<typeof ackMode>;
