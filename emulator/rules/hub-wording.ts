import type { JsonValue } from '../model/json.js';
import {
  findContentIssues,
  keyRuleBreak,
  sectionLimit,
  sectionSize,
  TWIN_LIMITS,
  type IntegerCheck,
  type KeyRuleBreak,
  type TwinRuleIssue,
  type TwinSection,
  type ValueRuleBreak,
} from './twin-rules.js';
import { findOutOfRangeInteger } from './json-integers.js';

// The twin rules of twin-rules.ts worded as the hub words its 400 ArgumentInvalid (iothub-protocol.md §7.3).
// emulator/twin/validate-patch.ts wraps these into IotHubError; clients (profile checks) show the same text.

/** A broken twin rule in the hub's words; `path` is the dotted path the message names (`properties.desired.a[0]`). */
export interface TwinRuleViolation {
  readonly message: string;
  readonly path: string;
}

/** The hub's message for the first rule a twin key breaks, or undefined. `path` is where the key sits. */
export function checkTwinKey(key: string, path: string): TwinRuleViolation | undefined {
  const broken = keyRuleBreak(key);
  return broken && { message: keyMessage(key, path, broken), path };
}

/** The hub's message for the first rule a section's content breaks (keys, values, depth), or undefined. */
export function checkTwinContent(content: JsonValue, sectionPath: string, integers: IntegerCheck = 'value'): TwinRuleViolation | undefined {
  const [issue] = findContentIssues(content, { first: true, integers });
  if (!issue) return undefined;
  const path = issuePath(sectionPath, issue);
  if (issue.target === 'key') return { message: keyMessage(String(issue.path.at(-1)), path, issue.broken), path };
  return { message: valueMessage(path, issue.broken), path };
}

/** The hub's message for an integer literal outside the twin range in a JSON text, or undefined. */
export function checkIntegerLiterals(text: string): TwinRuleViolation | undefined {
  const found = findOutOfRangeInteger(text);
  if (!found) return undefined;
  const range = `${TWIN_LIMITS.minSafeInteger}..${TWIN_LIMITS.maxSafeInteger}`;
  return { message: `Integer value ${found.literal} at position ${found.position} is outside the range ${range}.`, path: '' };
}

/** The hub's message when a section's resulting content exceeds its size limit, or undefined. */
export function checkTwinSectionSize(content: JsonValue, section: TwinSection): TwinRuleViolation | undefined {
  const limit = sectionLimit(section);
  const size = sectionSize(content);
  if (size <= limit) return undefined;
  return { message: `The ${section} section would be ${size} bytes; the maximum is ${limit} bytes.`, path: section };
}

function issuePath(sectionPath: string, issue: TwinRuleIssue): string {
  let text = sectionPath;
  for (const segment of issue.path) text += typeof segment === 'number' ? `[${segment}]` : `.${segment}`;
  return text;
}

function keyMessage(key: string, path: string, broken: KeyRuleBreak): string {
  switch (broken.rule) {
    case 'emptyKey':
      return `Invalid property name at '${path}': names must not be empty.`;
    case 'reservedKey':
      return `Invalid property name '${key}' at '${path}': names starting with '$' are reserved.`;
    case 'keyCharacter': {
      const what = broken.character === 'space' ? 'space' : broken.character === 'control' ? 'a control character' : `'${broken.character}'`;
      return `Invalid property name '${key}' at '${path}': names must not contain ${what}.`;
    }
    case 'keyTooLong':
      return `Property name at '${path}' is longer than ${TWIN_LIMITS.maxKeyBytes} bytes.`;
  }
}

function valueMessage(path: string, broken: ValueRuleBreak): string {
  switch (broken.rule) {
    case 'stringTooLong':
      return `String value of '${path}' is longer than ${TWIN_LIMITS.maxStringBytes} bytes.`;
    case 'notFinite':
      return `Value of '${path}' is not a finite number.`;
    case 'integerRange':
      return `Integer value of '${path}' is outside the range ${TWIN_LIMITS.minSafeInteger}..${TWIN_LIMITS.maxSafeInteger}.`;
    case 'tooDeep':
      return `The object at '${path}' is nested deeper than the maximum of ${TWIN_LIMITS.maxDepth} levels.`;
  }
}
