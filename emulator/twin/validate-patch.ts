import type { JsonValue } from '../model/json.js';
import { isJsonObject } from '../model/json.js';
import { argumentInvalid } from '../errors/catalogue.js';
import type { IotHubError } from '../errors/iothub-error.js';
import { TWIN_LIMITS } from './twin-limits.js';

// Key and value rules for tags / desired / reported (iothub-protocol.md §7.3, checklist 37-40).
// Validators on the MQTT hot path return an error instead of throwing (house-style H8).

const encoder = new TextEncoder();

/** UTF-8 byte length without allocating for pure-ASCII strings (the common case). */
export function utf8Length(text: string): number {
  return /^[\x00-\x7f]*$/.test(text) ? text.length : encoder.encode(text).length;
}

/** C0 and C1 control characters, `.`, `$` anywhere and space are forbidden in twin keys. */
const FORBIDDEN_KEY_CHARS = /[\u0000-\u001f\u007f-\u009f. $]/;

/** Returns an error describing the first rule a twin key breaks, or undefined. */
export function checkKey(key: string, path: string): IotHubError | undefined {
  if (key.length === 0) return argumentInvalid(`Invalid property name at '${path}': names must not be empty.`);
  if (key.startsWith('$')) {
    return argumentInvalid(`Invalid property name '${key}' at '${path}': names starting with '$' are reserved.`);
  }
  const bad = FORBIDDEN_KEY_CHARS.exec(key);
  if (bad) {
    const what = bad[0] === ' ' ? 'space' : bad[0] === '.' ? "'.'" : bad[0] === '$' ? "'$'" : 'a control character';
    return argumentInvalid(`Invalid property name '${key}' at '${path}': names must not contain ${what}.`);
  }
  if (utf8Length(key) > TWIN_LIMITS.maxKeyBytes) {
    return argumentInvalid(`Property name at '${path}' is longer than ${TWIN_LIMITS.maxKeyBytes} bytes.`);
  }
  return undefined;
}

function checkScalar(value: JsonValue, path: string): IotHubError | undefined {
  if (typeof value === 'string' && utf8Length(value) > TWIN_LIMITS.maxStringBytes) {
    return argumentInvalid(`String value of '${path}' is longer than ${TWIN_LIMITS.maxStringBytes} bytes.`);
  }
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return argumentInvalid(`Value of '${path}' is not a finite number.`);
    if (Number.isInteger(value) && (value > TWIN_LIMITS.maxSafeInteger || value < TWIN_LIMITS.minSafeInteger)) {
      return argumentInvalid(
        `Integer value of '${path}' is outside the range ${TWIN_LIMITS.minSafeInteger}..${TWIN_LIMITS.maxSafeInteger}.`,
      );
    }
  }
  return undefined;
}

/**
 * Validates a patch (or replacement document) for one section: every key, every value, and the nesting depth.
 * Containers (objects and arrays) count as one level each; depth 10 below the section root is the maximum.
 */
export function validateSectionContent(content: JsonValue, sectionPath: string): IotHubError | undefined {
  return walk(content, sectionPath, 0);
}

function walk(value: JsonValue, path: string, depth: number): IotHubError | undefined {
  if (Array.isArray(value)) {
    if (depth > TWIN_LIMITS.maxDepth) return tooDeep(path);
    for (let i = 0; i < value.length; i++) {
      const error = walk(value[i] as JsonValue, `${path}[${i}]`, depth + 1);
      if (error) return error;
    }
    return undefined;
  }
  if (isJsonObject(value)) {
    if (depth > TWIN_LIMITS.maxDepth) return tooDeep(path);
    for (const key of Object.keys(value)) {
      const childPath = `${path}.${key}`;
      const error = checkKey(key, childPath) ?? walk(value[key] as JsonValue, childPath, depth + 1);
      if (error) return error;
    }
    return undefined;
  }
  return checkScalar(value, path);
}

function tooDeep(path: string): IotHubError {
  return argumentInvalid(
    `The object at '${path}' is nested deeper than the maximum of ${TWIN_LIMITS.maxDepth} levels.`,
  );
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

/** Returns an error when a section's resulting content exceeds its size limit. */
export function checkSectionSize(content: JsonValue, section: 'tags' | 'desired' | 'reported'): IotHubError | undefined {
  const limit =
    section === 'tags'
      ? TWIN_LIMITS.maxTagsBytes
      : section === 'desired'
        ? TWIN_LIMITS.maxDesiredBytes
        : TWIN_LIMITS.maxReportedBytes;
  const size = sectionSize(content);
  if (size > limit) {
    return argumentInvalid(`The ${section} section would be ${size} bytes; the maximum is ${limit} bytes.`);
  }
  return undefined;
}
