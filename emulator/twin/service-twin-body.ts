import { argumentInvalid } from '../errors/catalogue.js';
import type { JsonObject } from '../model/json.js';
import { isJsonObject } from '../model/json.js';
import { validateSectionContent } from './validate-patch.js';
import type { IntegerCheck } from '../rules/twin-rules.js';
import type { ServiceTwinBody } from './twin-writes.js';

export type { ServiceTwinBody };

/**
 * Reads a service twin body the way the hub tolerates it (iothub-protocol.md §7.4, checklist 55): identity
 * fields, etag/version, `properties.reported`, and `$metadata`/`$version` at the desired root are ignored, because
 * C# and IoT Explorer send whole twins back. Any other `$` key, bad key or value is rejected.
 */
export function parseServiceTwinBody(body: unknown, integers: IntegerCheck = 'value'): ServiceTwinBody {
  if (!isJsonObject(body)) throw argumentInvalid('The twin body must be a JSON object.');
  const tags = readSection(body.tags, 'tags', integers);
  let desired: JsonObject | null | undefined;
  const properties = body.properties;
  if (properties !== undefined && properties !== null) {
    if (!isJsonObject(properties)) throw argumentInvalid("'properties' must be a JSON object.");
    desired = readSection(stripRootMetadata(properties.desired), 'properties.desired', integers);
  }
  return { tags, desired };
}

function readSection(value: unknown, path: string, integers: IntegerCheck): JsonObject | null | undefined {
  if (value === undefined || value === null) return value;
  if (!isJsonObject(value)) throw argumentInvalid(`'${path}' must be a JSON object or null.`);
  const error = validateSectionContent(value, path, integers);
  if (error) throw error;
  return value;
}

function stripRootMetadata(value: unknown): unknown {
  if (!isJsonObject(value)) return value;
  if (!('$metadata' in value) && !('$version' in value)) return value;
  const { $metadata: _metadata, $version: _version, ...rest } = value;
  return rest;
}

/**
 * Reads a device's reported patch (iothub-protocol.md §4.3): a JSON object whose keys, values and depth follow the
 * twin rules. Validated here, at the edge, once; the twin service then only checks the resulting section's size.
 */
export function parseReportedPatch(patch: unknown, integers: IntegerCheck = 'value'): JsonObject {
  if (!isJsonObject(patch)) throw argumentInvalid('The reported properties patch must be a JSON object.');
  const error = validateSectionContent(patch, 'properties.reported', integers);
  if (error) throw error;
  return patch;
}
