import { configurationInputOf } from '../configuration-input.js';
import { ifMatchOf } from '../request-input.js';
import type { RestOperation } from '../rest-types.js';

/**
 * `PUT /configurations/{id}` (iothub-protocol-2.md §8.1): create without `If-Match` (409 if it exists), update with
 * a matching `If-Match` or `*` (412 when stale; 400 when the content changes). 200 with the configuration.
 */
export const createOrUpdateConfiguration: RestOperation = async (request, { configurations }) => ({
  status: 200,
  body: await configurations.put(request.context, configurationInputOf(request), ifMatchOf(request)),
});
