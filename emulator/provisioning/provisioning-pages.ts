import { dpsBadRequest } from '../errors/dps-catalogue.js';

/** One page of a provisioning query, with the continuation token of the next page (none on the last one). */
export interface ProvisioningPage<T> {
  readonly items: readonly T[];
  readonly continuation?: string;
}

/** Default and largest page size of the provisioning queries (`x-ms-max-item-count`). */
export const DEFAULT_PAGE_SIZE = 100;
export const MAX_PAGE_SIZE = 1000;

/**
 * Pages `records` (keyed by lower-case id) in key order. The continuation token names the last key handed out, so
 * records created or deleted between pages neither repeat nor shift the rest.
 */
export function pageOf<T>(records: Readonly<Record<string, T>>, options: { pageSize?: number; continuation?: string }, keep: (record: T) => boolean = () => true): ProvisioningPage<T> {
  const size = Math.min(Math.max(1, Math.floor(options.pageSize ?? DEFAULT_PAGE_SIZE)), MAX_PAGE_SIZE);
  const after = options.continuation === undefined ? undefined : decodeContinuation(options.continuation);
  const keys = Object.keys(records)
    .filter((key) => after === undefined || key > after)
    .sort();
  const items: T[] = [];
  let last: string | undefined;
  let index = 0;
  for (; index < keys.length && items.length < size; index++) {
    const key = keys[index] as string;
    const record = records[key] as T;
    if (!keep(record)) continue;
    items.push(record);
    last = key;
  }
  const more = keys.slice(index).some((key) => keep(records[key] as T));
  return more && last !== undefined ? { items, continuation: Buffer.from(JSON.stringify({ after: last })).toString('base64') } : { items };
}

function decodeContinuation(token: string): string {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64').toString('utf8')) as unknown;
    if (typeof parsed === 'object' && parsed !== null && typeof (parsed as { after?: unknown }).after === 'string') return (parsed as { after: string }).after;
  } catch {
    // Falls through to the error below.
  }
  throw dpsBadRequest('The continuation token is invalid.');
}

/**
 * The provisioning query language is `SELECT * FROM <collection>` (or `*`); the emulator answers exactly that and
 * refuses anything else with 400, instead of silently returning everything for a WHERE it ignored.
 */
export function checkQuery(query: unknown, collection: string): void {
  if (typeof query !== 'string') throw dpsBadRequest('The body must be {"query":"*"}.');
  const text = query.trim().replace(/\s+/g, ' ').toLowerCase();
  if (text === '*' || text === `select * from ${collection.toLowerCase()}`) return;
  throw dpsBadRequest(`The query '${query}' is not emulated: only '*' and 'SELECT * FROM ${collection}' are.`);
}
