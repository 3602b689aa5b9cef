import {
  findContentIssues,
  sectionLimit,
  sectionSize,
  TWIN_LIMITS,
  type KeyRuleBreak,
  type TwinRuleIssue,
  type ValueRuleBreak,
} from '../../../emulator/rules/index.js';
import { formatPath, isObject } from './json-ops.js';

// The hub's content rules for tags and desired properties (iothub-protocol.md §7.3, §10), checked before a save so
// the editor can point at the offending key instead of waiting for a 400. The rules are the hub's own std code
// (emulator/rules/, house-style H2); only the wording here is the editor's. The hub checks again on write.

export { sectionSize };

/** A broken rule, with the JSON path it is about (empty = the whole section). */
export interface RuleIssue {
  readonly path: readonly (string | number)[];
  /** `key` issues are shown on the property name, `value` issues on the value. */
  readonly target: 'key' | 'value';
  readonly message: string;
}

function keyMessage(key: string, broken: KeyRuleBreak): string {
  switch (broken.rule) {
    case 'emptyKey':
      return 'Property names must not be empty.';
    case 'reservedKey':
      return `Property name '${key}' must not contain '$' (reserved for the hub).`;
    case 'keyCharacter': {
      const what = { space: 'a space', '.': "'.'", $: "'$' (reserved for the hub)", control: 'a control character' }[broken.character];
      return `Property name '${key}' must not contain ${what}.`;
    }
    case 'keyTooLong':
      return `Property name is longer than ${TWIN_LIMITS.maxKeyBytes} bytes.`;
  }
}

function valueMessage(broken: ValueRuleBreak): string {
  switch (broken.rule) {
    case 'stringTooLong':
      return `String is longer than ${TWIN_LIMITS.maxStringBytes} bytes.`;
    case 'notFinite':
      return 'Number is not finite.';
    case 'integerRange':
      return `Integer is outside ${TWIN_LIMITS.minSafeInteger}..${TWIN_LIMITS.maxSafeInteger}.`;
    case 'tooDeep':
      return `Nested deeper than ${TWIN_LIMITS.maxDepth} levels.`;
  }
}

function toRuleIssue(issue: TwinRuleIssue): RuleIssue {
  const message = issue.target === 'key' ? keyMessage(String(issue.path.at(-1)), issue.broken) : valueMessage(issue.broken);
  return { path: issue.path, target: issue.target, message };
}

/** Every rule `value` breaks as the new content of `section`; an empty list means the hub will accept it. */
export function validateSection(value: unknown, section: 'tags' | 'desired'): RuleIssue[] {
  if (!isObject(value)) return [{ path: [], target: 'value', message: `The ${section} section must be a JSON object.` }];
  const issues = findContentIssues(value, { first: false }).map(toRuleIssue);
  const limit = sectionLimit(section);
  const size = sectionSize(value);
  if (size > limit) issues.push({ path: [], target: 'value', message: `The ${section} section is ${size} bytes; the limit is ${limit}.` });
  return issues;
}

/** `desired.a.b: message`, for lists outside the editor. */
export function describeIssue(section: string, issue: RuleIssue): string {
  const where = formatPath([section, ...issue.path]);
  return `${where}: ${issue.message}`;
}
