import { argumentInvalid } from '../../../errors/catalogue.js';
import type { RestOperation } from '../rest-types.js';

/** `GET /configurations[?top=n]`: a bare array, no paging (iothub-protocol-2.md §8.1). */
export const listConfigurations: RestOperation = (request, { configurations }) => {
  const text = request.query.get('top');
  let top: number | undefined;
  if (text !== null && text !== '') {
    top = Number(text);
    if (!Number.isInteger(top) || top < 1) throw argumentInvalid(`top must be a positive integer, got '${text}'.`);
  }
  return { status: 200, body: configurations.list(top) };
};
