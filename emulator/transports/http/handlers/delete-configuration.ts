import { configurationIdOf } from '../configuration-input.js';
import { ifMatchOf } from '../request-input.js';
import type { RestOperation } from '../rest-types.js';

/** `DELETE /configurations/{id}` (`If-Match` optional): 204; its settings leave the twins it was applied to. */
export const deleteConfiguration: RestOperation = async (request, { configurations }) => {
  await configurations.remove(configurationIdOf(request), ifMatchOf(request));
  return { status: 204 };
};
