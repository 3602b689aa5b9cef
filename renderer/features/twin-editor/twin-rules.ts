import type { JsonValue } from '../../../emulator/model/json.js';
import { formatPath, isObject } from './json-ops.js';

/**
 * The hub's content rules for tags and desired properties (iothub-protocol.md §7.3, §10), checked before a save
 * so the editor can point at the offending key instead of waiting for a 400. The hub checks again on write.
 * The numbers equal the emulator's TWIN_LIMITS (test/unit/renderer/twin-rules-parity.test.ts keeps them equal;
 * the renderer may not import emulator/twin, house-style H2).
 */
export const TWIN_RULES = {
  maxKeyBytes: 1024,
  maxStringBytes: 4096,
  maxDepth: 10,
  maxSafeInteger: 4503599627370495,
  minSafeInteger: -4503599627370496,
  maxTagsBytes: 8 * 1024,
  maxDesiredBytes: 32 * 1024,
} as const;

/** A broken rule, with the JSON path it is about (empty = the whole section). */
export interface RuleIssue {
  readonly path: readonly (string | number)[];
  /** `key` issues are shown on the property name, `value` issues on the value. */
  readonly target: 'key' | 'value';
  readonly message: string;
}

const encoder = new TextEncoder();
const FORBIDDEN_KEY_CHARS = /[\u0000-\u001f\u007f-\u009f. $]/;

function bytes(text: string): number {
  return encoder.encode(text).length;
}

function keyIssue(key: string): string | undefined {
  if (key.length === 0) return 'Property names must not be empty.';
  const bad = FORBIDDEN_KEY_CHARS.exec(key);
  if (bad) {
    const what = bad[0] === ' ' ? 'a space' : bad[0] === '.' ? "'.'" : bad[0] === '$' ? "'$' (reserved for the hub)" : 'a control character';
    return `Property name '${key}' must not contain ${what}.`;
  }
  if (bytes(key) > TWIN_RULES.maxKeyBytes) return `Property name is longer than ${TWIN_RULES.maxKeyBytes} bytes.`;
  return undefined;
}

function scalarIssue(value: JsonValue): string | undefined {
  if (typeof value === 'string' && bytes(value) > TWIN_RULES.maxStringBytes) {
    return `String is longer than ${TWIN_RULES.maxStringBytes} bytes.`;
  }
  if (typeof value === 'number' && Number.isInteger(value) && (value > TWIN_RULES.maxSafeInteger || value < TWIN_RULES.minSafeInteger)) {
    return `Integer is outside ${TWIN_RULES.minSafeInteger}..${TWIN_RULES.maxSafeInteger}.`;
  }
  return undefined;
}

function walk(value: JsonValue, path: (string | number)[], depth: number, issues: RuleIssue[]): void {
  const container = Array.isArray(value) || isObject(value);
  if (container && depth > TWIN_RULES.maxDepth) {
    issues.push({ path, target: 'value', message: `Nested deeper than ${TWIN_RULES.maxDepth} levels.` });
    return;
  }
  if (Array.isArray(value)) value.forEach((item, i) => walk(item, [...path, i], depth + 1, issues));
  else if (isObject(value)) {
    for (const [key, child] of Object.entries(value)) {
      const problem = keyIssue(key);
      if (problem) issues.push({ path: [...path, key], target: 'key', message: problem });
      walk(child, [...path, key], depth + 1, issues);
    }
  } else {
    const problem = scalarIssue(value);
    if (problem) issues.push({ path, target: 'value', message: problem });
  }
}

/** Size as the hub counts it (§7.3): names and strings in UTF-8 bytes, numbers 8, booleans 4, null 0. */
export function sectionSize(value: JsonValue): number {
  if (value === null) return 0;
  if (typeof value === 'string') return bytes(value);
  if (typeof value === 'number') return 8;
  if (typeof value === 'boolean') return 4;
  if (Array.isArray(value)) return value.reduce<number>((sum, item) => sum + sectionSize(item), 0);
  return Object.entries(value).reduce((sum, [key, child]) => sum + bytes(key) + sectionSize(child), 0);
}

/** Every rule `value` breaks as the new content of `section`; an empty list means the hub will accept it. */
export function validateSection(value: unknown, section: 'tags' | 'desired'): RuleIssue[] {
  if (!isObject(value)) return [{ path: [], target: 'value', message: `The ${section} section must be a JSON object.` }];
  const issues: RuleIssue[] = [];
  walk(value, [], 0, issues);
  const limit = section === 'tags' ? TWIN_RULES.maxTagsBytes : TWIN_RULES.maxDesiredBytes;
  const size = sectionSize(value);
  if (size > limit) issues.push({ path: [], target: 'value', message: `The ${section} section is ${size} bytes; the limit is ${limit}.` });
  return issues;
}

/** `desired.a.b: message`, for lists outside the editor. */
export function describeIssue(section: string, issue: RuleIssue): string {
  const where = formatPath([section, ...issue.path]);
  return `${where}: ${issue.message}`;
}
