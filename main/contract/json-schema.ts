/**
 * Run-time guards for JSON values crossing the boundary. IPC uses structured clone and would happily carry
 * `undefined`, Dates, Maps or cycles; the hub's rules are defined on JSON only, so anything else is refused here.
 */
import { z } from 'zod';

import type { JsonObject, JsonValue } from '../../emulator/model/json.js';

/** Deeper than any twin may be (10 levels) with room for query/method payloads; stops stack abuse. */
const MAX_JSON_DEPTH = 64;

/** True when `value` is plain JSON: primitives (finite numbers), arrays and plain objects, no cycles. */
export function isJsonValue(value: unknown, depth = 0): value is JsonValue {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true;
  if (typeof value === 'number') return Number.isFinite(value);
  if (depth >= MAX_JSON_DEPTH || typeof value !== 'object') return false;
  if (Array.isArray(value)) return value.every((item) => isJsonValue(item, depth + 1));
  const prototype: unknown = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) return false;
  return Object.values(value).every((item) => isJsonValue(item, depth + 1));
}

/** True when `value` is a plain JSON object. */
export function isJsonObjectValue(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && isJsonValue(value);
}

/** Schema of any JSON value. */
export const jsonValueSchema = z.custom<JsonValue>((value) => isJsonValue(value), { message: 'expected a JSON value' });

/** Schema of a JSON object. */
export const jsonObjectSchema = z.custom<JsonObject>((value) => isJsonObjectValue(value), {
  message: 'expected a JSON object',
});

/**
 * Schema of a string → string map (message properties). Not `z.record`: it drops a `__proto__` key silently, and
 * the hub keeps such keys as plain data (issue 11). The object is passed through as it came.
 */
export function stringMapSchema(limits: { readonly maxKey: number; readonly maxValue: number }) {
  return z.custom<Record<string, string>>(
    (value) =>
      typeof value === 'object' &&
      value !== null &&
      !Array.isArray(value) &&
      [Object.prototype, null].includes(Object.getPrototypeOf(value) as object | null) &&
      Object.entries(value).every(([key, item]) => key.length >= 1 && key.length <= limits.maxKey && typeof item === 'string' && item.length <= limits.maxValue),
    { message: `expected an object of strings (names 1-${limits.maxKey} characters, values at most ${limits.maxValue})` },
  );
}
