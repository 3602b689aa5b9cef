import { moduleJson } from '../module-json.js';
import { deviceIdOf, ifMatchOf, moduleIdOf, moduleInputOf } from '../request-input.js';
import type { RestOperation } from '../rest-types.js';

/**
 * `PUT /devices/{deviceId}/modules/{moduleId}`: create without `If-Match` (409 ModuleAlreadyExistsOnDevice), update
 * with it (412 on a stale etag). Answers 200 with the module JSON (the Swagger allows 200 or 201).
 */
export const createOrUpdateModule: RestOperation = async (request, { modules }) => {
  const input = moduleInputOf(request, deviceIdOf(request), moduleIdOf(request));
  const ifMatch = ifMatchOf(request);
  const record = ifMatch === undefined ? await modules.create(input, request.context) : await modules.update(input, ifMatch);
  return { status: 200, body: moduleJson(record, modules) };
};
