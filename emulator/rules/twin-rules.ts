import type { JsonValue } from '../model/json.js';
import { isJsonObject } from '../model/json.js';

// The hub's twin content rules (iothub-protocol.md §7.3 and §10, checklist 37-40) as std code (house-style H2): the
// hub (emulator/twin/validate-patch.ts) and the studio's twin editor check the same rules. This file says *which*
// rule a value breaks; each audience words it: hub-wording.ts as the hub's 400 does, the renderer for the editor.

/** Twin content limits (iothub-protocol.md §7.3 and §10). */
export const TWIN_LIMITS = {
  /** Maximum key length in UTF-8 bytes. */
  maxKeyBytes: 1024,
  /** Maximum string value length in UTF-8 bytes. */
  maxStringBytes: 4096,
  /** Nested objects allowed below the section root (depth 10 accepted, 11 rejected). */
  maxDepth: 10,
  /** Largest integer magnitude accepted (2^52 - 1). */
  maxSafeInteger: 4503599627370495,
  minSafeInteger: -4503599627370496,
  /** Section size limits in bytes, counted as in §7.3. */
  maxTagsBytes: 8 * 1024,
  maxDesiredBytes: 32 * 1024,
  maxReportedBytes: 32 * 1024,
} as const;

/** The three twin sections whose content the rules govern. */
export type TwinSection = 'tags' | 'desired' | 'reported';

/** A rule a property name breaks. `character` names the first forbidden character found. */
export type KeyRuleBreak =
  | { readonly rule: 'emptyKey' }
  | { readonly rule: 'reservedKey' }
  | { readonly rule: 'keyCharacter'; readonly character: 'space' | '.' | '$' | 'control' }
  | { readonly rule: 'keyTooLong' };

/** A rule a value breaks. */
export type ValueRuleBreak =
  | { readonly rule: 'stringTooLong' }
  | { readonly rule: 'notFinite' }
  | { readonly rule: 'integerRange' }
  | { readonly rule: 'tooDeep' };

/**
 * One broken rule inside a section's content, with the JSON path below the section root. `key` issues are about the
 * last path segment's name, `value` issues about the value at the path.
 */
export type TwinRuleIssue =
  | { readonly path: readonly (string | number)[]; readonly target: 'key'; readonly broken: KeyRuleBreak }
  | { readonly path: readonly (string | number)[]; readonly target: 'value'; readonly broken: ValueRuleBreak };

/**
 * UTF-8 byte length, counted without encoding (std code has no TextEncoder). A lone surrogate counts 3 bytes, as
 * TextEncoder encodes it as U+FFFD.
 */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 0x80) bytes += 1;
    else if (unit < 0x800) bytes += 2;
    else if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}

/** C0 and C1 control characters, `.`, `$` anywhere and space are forbidden in twin keys. */
const FORBIDDEN_KEY_CHARS = /[\u0000-\u001f\u007f-\u009f. $]/;

/** The first rule a property name breaks, or undefined. */
export function keyRuleBreak(key: string): KeyRuleBreak | undefined {
  if (key.length === 0) return { rule: 'emptyKey' };
  if (key.startsWith('$')) return { rule: 'reservedKey' };
  const bad = FORBIDDEN_KEY_CHARS.exec(key);
  if (bad) {
    const character = bad[0] === ' ' ? 'space' : bad[0] === '.' ? '.' : bad[0] === '$' ? '$' : 'control';
    return { rule: 'keyCharacter', character };
  }
  if (utf8Length(key) > TWIN_LIMITS.maxKeyBytes) return { rule: 'keyTooLong' };
  return undefined;
}

/**
 * How integers are checked: `value` — an integer-valued number outside ±2^52 is out of range (callers that hand in
 * parsed values, whose literal is gone: a service SDK would write such a number as an integer literal); `literal`
 * — the caller checked the JSON text's integer literals (`findOutOfRangeInteger`), so any finite value passes here.
 */
export type IntegerCheck = 'value' | 'literal';

/** The rule a scalar value (string, number, boolean, null) breaks, or undefined. */
export function scalarRuleBreak(value: JsonValue, integers: IntegerCheck = 'value'): ValueRuleBreak | undefined {
  if (typeof value === 'string' && utf8Length(value) > TWIN_LIMITS.maxStringBytes) return { rule: 'stringTooLong' };
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return { rule: 'notFinite' };
    if (integers === 'value' && Number.isInteger(value) && (value > TWIN_LIMITS.maxSafeInteger || value < TWIN_LIMITS.minSafeInteger)) {
      return { rule: 'integerRange' };
    }
  }
  return undefined;
}

/**
 * The rules a section's content (a patch or a replacement document) breaks: every key, every value, and the
 * nesting depth. Containers (objects and arrays) count as one level each; depth 10 below the section root is the
 * maximum, and a container nested deeper is reported once, without looking inside. Keys come before their values,
 * in document order. `first: true` stops at the first issue (the hub answers with one error).
 */
export function findContentIssues(content: JsonValue, options: { readonly first: boolean; readonly integers?: IntegerCheck }): TwinRuleIssue[] {
  const issues: TwinRuleIssue[] = [];
  walk(content, [], 0, issues, { first: options.first, integers: options.integers ?? 'value' });
  return issues;
}

interface WalkOptions {
  readonly first: boolean;
  readonly integers: IntegerCheck;
}

/** Walks with one mutable path; an issue copies it. Returns true when the walk should stop. */
function walk(value: JsonValue, path: (string | number)[], depth: number, issues: TwinRuleIssue[], options: WalkOptions): boolean {
  const { first } = options;
  if (Array.isArray(value)) {
    if (depth > TWIN_LIMITS.maxDepth) return tooDeep(path, issues, first);
    for (let i = 0; i < value.length; i++) {
      path.push(i);
      const stop = walk(value[i] as JsonValue, path, depth + 1, issues, options);
      path.pop();
      if (stop) return true;
    }
    return false;
  }
  if (isJsonObject(value)) {
    if (depth > TWIN_LIMITS.maxDepth) return tooDeep(path, issues, first);
    for (const key of Object.keys(value)) {
      path.push(key);
      const broken = keyRuleBreak(key);
      if (broken) issues.push({ path: [...path], target: 'key', broken });
      const stop = (broken !== undefined && first) || walk(value[key] as JsonValue, path, depth + 1, issues, options);
      path.pop();
      if (stop) return true;
    }
    return false;
  }
  const broken = scalarRuleBreak(value, options.integers);
  if (broken) issues.push({ path: [...path], target: 'value', broken });
  return broken !== undefined && first;
}

function tooDeep(path: readonly (string | number)[], issues: TwinRuleIssue[], first: boolean): boolean {
  issues.push({ path: [...path], target: 'value', broken: { rule: 'tooDeep' } });
  return first;
}

/**
 * Size of a section as the hub counts it (§7.3): keys and strings by UTF-8 length, numbers 8 bytes, booleans 4,
 * null 0, containers the sum of their contents.
 */
export function sectionSize(value: JsonValue): number {
  if (value === null) return 0;
  switch (typeof value) {
    case 'string':
      return utf8Length(value);
    case 'number':
      return 8;
    case 'boolean':
      return 4;
    default:
      break;
  }
  let total = 0;
  if (Array.isArray(value)) {
    for (const item of value) total += sectionSize(item);
    return total;
  }
  for (const key of Object.keys(value)) total += utf8Length(key) + sectionSize(value[key] as JsonValue);
  return total;
}

/** The size limit of a section in bytes. */
export function sectionLimit(section: TwinSection): number {
  return section === 'tags' ? TWIN_LIMITS.maxTagsBytes : section === 'desired' ? TWIN_LIMITS.maxDesiredBytes : TWIN_LIMITS.maxReportedBytes;
}
