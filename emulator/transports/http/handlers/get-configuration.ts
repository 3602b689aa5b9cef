import { configurationIdOf } from '../configuration-input.js';
import type { RestOperation } from '../rest-types.js';

/** `GET /configurations/{id}`: the configuration with its system and custom metrics; 404 when unknown. */
export const getConfiguration: RestOperation = (request, { configurations }) => ({ status: 200, body: configurations.get(configurationIdOf(request)) });
