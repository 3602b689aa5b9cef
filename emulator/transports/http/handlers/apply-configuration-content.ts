import { contentInputOf } from '../configuration-input.js';
import { deviceIdOf } from '../request-input.js';
import type { RestOperation } from '../rest-types.js';

/** `POST /devices/{id}/applyConfigurationContent`: writes the content's desired properties into the twins now; 204. */
export const applyConfigurationContent: RestOperation = async (request, { configurations }) => {
  await configurations.applyContent(request.context, deviceIdOf(request), contentInputOf(request));
  return { status: 204 };
};
