import type { JsonValue } from '../model/json.js';
import { argumentInvalid } from '../errors/catalogue.js';
import type { IotHubError } from '../errors/iothub-error.js';
import { checkIntegerLiterals, checkTwinContent, checkTwinKey, checkTwinSectionSize, type TwinRuleViolation } from '../rules/hub-wording.js';
import type { IntegerCheck } from '../rules/twin-rules.js';

// Key and value rules for tags / desired / reported (iothub-protocol.md §7.3, checklist 37-40). The rules themselves
// are std code in emulator/rules/ (shared with the studio's twin editor); this file turns a broken rule into the hub's
// 400 ArgumentInvalid. Validators on the MQTT hot path return an error instead of throwing (house-style H8).

export { sectionSize, utf8Length } from '../rules/twin-rules.js';

/** Returns an error describing the first rule a twin key breaks, or undefined. */
export function checkKey(key: string, path: string): IotHubError | undefined {
  return toError(checkTwinKey(key, path));
}

/**
 * Validates a patch (or replacement document) for one section: every key, every value, and the nesting depth.
 * Containers (objects and arrays) count as one level each; depth 10 below the section root is the maximum.
 */
export function validateSectionContent(content: JsonValue, sectionPath: string, integers: IntegerCheck = 'value'): IotHubError | undefined {
  return toError(checkTwinContent(content, sectionPath, integers));
}

/** 400 when a JSON text from the wire holds an integer literal outside ±2^52 (floats of any size are fine). */
export function checkIntegerLiteralsOf(text: string): IotHubError | undefined {
  return toError(checkIntegerLiterals(text));
}

/** Returns an error when a section's resulting content exceeds its size limit. */
export function checkSectionSize(content: JsonValue, section: 'tags' | 'desired' | 'reported'): IotHubError | undefined {
  return toError(checkTwinSectionSize(content, section));
}

function toError(violation: TwinRuleViolation | undefined): IotHubError | undefined {
  return violation && argumentInvalid(violation.message);
}
