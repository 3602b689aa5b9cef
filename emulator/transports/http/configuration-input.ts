import { argumentInvalid } from '../../errors/catalogue.js';
import type { ConfigurationContent } from '../../model/configuration.js';
import { isJsonObject, type JsonObject } from '../../model/json.js';
import { compileQuery, QueryError } from '../../query/index.js';
import { desiredAssignments, setPath } from '../../services/configurations/configuration-content.js';
import { parseServiceTwinBody } from '../../twin/service-twin-body.js';
import type { ConfigurationInput } from '../../services/configurations/configuration-service.js';
import { targetQuery } from '../../services/configurations/target-matcher.js';
import { objectBody } from './request-input.js';
import type { RestRequest } from './rest-types.js';

// Turns configuration REST input (iothub-protocol-2.md §8.1-8.2) into typed values (house-style H8).

/** Ids: at most 128 characters, lower case, no spaces or & ^ [ ] { } \ | " < > / (§8.2). */
const CONFIGURATION_ID = /^[a-z0-9\-:.+%_#*?!(),=@;$']{1,128}$/;
const MAX_METRICS = 5;

/** The `{configurationId}` route parameter. */
export function configurationIdOf(request: RestRequest): string {
  const id = request.params.configurationId ?? '';
  if (!CONFIGURATION_ID.test(id)) {
    throw argumentInvalid(`The configuration id '${id}' is invalid: use up to 128 lower-case letters, digits and - : . + % _ # * ? ! ( ) , = @ ; $ '.`);
  }
  return id;
}

/** The configuration body of `PUT /configurations/{id}`; `id` in the body, when given, must equal the path. */
export function configurationInputOf(request: RestRequest): ConfigurationInput {
  return parseConfigurationInput(configurationIdOf(request), objectBody(request));
}

/** A configuration body for `id` (REST and the studio), checked into a ConfigurationInput. */
export function parseConfigurationInput(id: string, body: Record<string, unknown>): ConfigurationInput {
  if (!CONFIGURATION_ID.test(id)) {
    throw argumentInvalid(`The configuration id '${id}' is invalid: use up to 128 lower-case letters, digits and - : . + % _ # * ? ! ( ) , = @ ; $ '.`);
  }
  if (body.id !== undefined && body.id !== id) throw argumentInvalid(`The id in the body ('${String(body.id)}') does not match the path ('${id}').`);
  const schemaVersion = body.schemaVersion ?? '1.0';
  if (typeof schemaVersion !== 'string') throw argumentInvalid('schemaVersion must be a string.');
  const content = contentOf(body.content);
  const kind = content.moduleContent === undefined ? 'devices' : 'modules';
  const targetCondition = body.targetCondition ?? '';
  if (typeof targetCondition !== 'string') throw argumentInvalid('targetCondition must be a string: a WHERE clause over twins, or *.');
  const target = targetQuery(targetCondition, kind);
  if (target !== undefined) checkQuery(target, 'targetCondition');
  const priority = body.priority ?? 0;
  if (typeof priority !== 'number' || !Number.isInteger(priority) || priority < 0) throw argumentInvalid(`priority must be a non-negative integer, got ${JSON.stringify(priority)}.`);
  return { id, schemaVersion, labels: labelsOf(body.labels), content, targetCondition, priority, metricQueries: metricsOf(body.metrics) };
}

/** The body of `POST /configurations/testQueries`. */
export function testQueriesInputOf(request: RestRequest): { targetCondition: string; customMetricQueries: Record<string, string> } {
  const body = objectBody(request);
  const targetCondition = body.targetCondition ?? '';
  if (typeof targetCondition !== 'string') throw argumentInvalid('targetCondition must be a string.');
  return { targetCondition, customMetricQueries: stringMapOf(body.customMetricQueries ?? {}, 'customMetricQueries') };
}

/** The body of `POST /devices/{id}/applyConfigurationContent`. */
export function contentInputOf(request: RestRequest): ConfigurationContent {
  const body = objectBody(request);
  const content: { -readonly [K in keyof ConfigurationContent]: ConfigurationContent[K] } = {};
  if (body.deviceContent !== undefined && body.deviceContent !== null) content.deviceContent = deviceContentOf(body.deviceContent, 'deviceContent');
  if (body.modulesContent !== undefined && body.modulesContent !== null) content.modulesContent = modulesContentOf(body.modulesContent);
  if (content.deviceContent === undefined && content.modulesContent === undefined) throw argumentInvalid('The content needs deviceContent or modulesContent.');
  return content;
}

function contentOf(value: unknown): ConfigurationContent {
  if (!isJsonObject(value)) throw argumentInvalid('content is required: {"deviceContent": {"properties.desired.<path>": …}}.');
  const kinds = (['deviceContent', 'moduleContent', 'modulesContent'] as const).filter((name) => value[name] !== undefined && value[name] !== null);
  if (kinds.length !== 1) throw argumentInvalid('content must have exactly one of deviceContent, moduleContent or modulesContent.');
  const [kind] = kinds;
  if (kind === 'modulesContent') return { modulesContent: modulesContentOf(value.modulesContent) };
  if (kind === 'moduleContent') return { moduleContent: deviceContentOf(value.moduleContent, 'moduleContent') };
  return { deviceContent: deviceContentOf(value.deviceContent, 'deviceContent') };
}

function deviceContentOf(value: unknown, name: string): JsonObject {
  if (!isJsonObject(value)) throw argumentInvalid(`${name} must be a JSON object of twin paths.`);
  for (const [key, entry] of Object.entries(value)) {
    const path = key.split('.');
    if (path[0] !== 'properties' || path[1] !== 'desired' || path.slice(2).some((segment) => segment === '')) {
      throw argumentInvalid(`The ${name} key '${key}' is invalid: keys are properties.desired or properties.desired.<path>.`);
    }
    if (path.length === 2 && !isJsonObject(entry)) throw argumentInvalid(`${name}['properties.desired'] must be a JSON object.`);
  }
  // What the content writes must pass the twin rules (key names, depth, sizes) like any desired patch.
  const patch: JsonObject = {};
  for (const assignment of desiredAssignments({ content: { deviceContent: value } })) setPath(patch, assignment.path, assignment.value);
  parseServiceTwinBody({ properties: { desired: patch } });
  return value;
}

function modulesContentOf(value: unknown): JsonObject {
  if (!isJsonObject(value)) throw argumentInvalid('modulesContent must be a JSON object of modules.');
  for (const [moduleId, entry] of Object.entries(value)) deviceContentOf(entry, `modulesContent['${moduleId}']`);
  return value;
}

function labelsOf(value: unknown): Record<string, string> {
  const labels = stringMapOf(value ?? {}, 'labels');
  for (const [key, entry] of Object.entries(labels)) {
    if (key.length > 128 || entry.length > 128) throw argumentInvalid('Label names and values are at most 128 characters.');
    if (key.startsWith('$')) throw argumentInvalid(`The label '${key}' is invalid: names starting with $ are reserved.`);
  }
  return labels;
}

function metricsOf(value: unknown): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (!isJsonObject(value)) throw argumentInvalid('metrics must be {"queries": {"<name>": "SELECT …"}}.');
  const queries = stringMapOf(value.queries ?? {}, 'metrics.queries');
  if (Object.keys(queries).length > MAX_METRICS) throw argumentInvalid(`A configuration has at most ${MAX_METRICS} custom metric queries.`);
  for (const [name, text] of Object.entries(queries)) checkQuery(text, `metrics.queries.${name}`);
  return queries;
}

function stringMapOf(value: unknown, name: string): Record<string, string> {
  if (!isJsonObject(value) || !Object.values(value).every((entry) => typeof entry === 'string')) throw argumentInvalid(`${name} must be an object of strings.`);
  return { ...(value as Record<string, string>) };
}

function checkQuery(text: string, name: string): void {
  try {
    compileQuery(text);
  } catch (error) {
    if (error instanceof QueryError) throw argumentInvalid(`${name} is not a valid query: ${error.message}`);
    throw error;
  }
}
