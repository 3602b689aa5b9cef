import { argumentInvalid, queryInvalid } from '../../../errors/catalogue.js';
import { QueryError } from '../../../query/index.js';
import { headerOf, objectBody } from '../request-input.js';
import type { RestOperation } from '../rest-types.js';

/**
 * `POST /devices/query` (iothub-protocol.md §9.1): body `{"query": …}`, page size from `x-ms-max-item-count`, the
 * next page from `x-ms-continuation`. The answer is a bare JSON array with `x-ms-item-type` (PascalCase) and
 * `x-ms-continuation` only when more pages exist: an empty header would make the Node SDK loop forever.
 */
export const queryDevices: RestOperation = (request, { query }) => {
  const body = objectBody(request);
  if (typeof body.query !== 'string' || body.query.trim() === '') throw argumentInvalid("The body must be {\"query\": \"<query text>\"}.");
  const pageSize = pageSizeOf(headerOf(request, 'x-ms-max-item-count'));
  const continuation = headerOf(request, 'x-ms-continuation') || undefined;
  try {
    const page = query(body.query, { ...(pageSize === undefined ? {} : { pageSize }), ...(continuation === undefined ? {} : { continuation }) });
    const headers: Record<string, string> = { 'x-ms-item-type': page.itemType };
    if (page.continuation !== undefined) headers['x-ms-continuation'] = page.continuation;
    return { status: 200, body: page.items, headers };
  } catch (error) {
    if (error instanceof QueryError) throw queryInvalid(error.message, error.position);
    throw error;
  }
};

function pageSizeOf(text: string | undefined): number | undefined {
  if (text === undefined || text.trim() === '') return undefined;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw argumentInvalid(`x-ms-max-item-count must be a positive integer, got '${text}'.`);
  return value;
}
