import { argumentInvalid } from '../../../errors/catalogue.js';
import { jobFilterOf } from '../job-input.js';
import { headerOf } from '../request-input.js';
import type { RestOperation } from '../rest-types.js';

/**
 * `GET /jobs/v2/query[?jobType=…][&jobStatus=…]` (iothub-protocol-2.md §7.1): a bare array of JobResponse, oldest
 * first, `x-ms-max-item-count` per page (default 100), `x-ms-item-type: JobResponse`, and `x-ms-continuation` only
 * when more pages exist.
 */
export const queryJobs: RestOperation = (request, { jobs }) => {
  const all = jobs.list(jobFilterOf(request));
  const pageSize = pageSizeOf(headerOf(request, 'x-ms-max-item-count'));
  const offset = offsetOf(headerOf(request, 'x-ms-continuation'));
  const end = offset + pageSize;
  const headers: Record<string, string> = { 'x-ms-item-type': 'JobResponse' };
  if (end < all.length) headers['x-ms-continuation'] = Buffer.from(JSON.stringify({ jobsOffset: end })).toString('base64');
  return { status: 200, body: all.slice(offset, end), headers };
};

function pageSizeOf(text: string | undefined): number {
  if (text === undefined || text.trim() === '') return 100;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw argumentInvalid(`x-ms-max-item-count must be a positive integer, got '${text}'.`);
  return Math.min(value, 1000);
}

function offsetOf(token: string | undefined): number {
  if (token === undefined || token === '') return 0;
  try {
    const parsed: unknown = JSON.parse(Buffer.from(token, 'base64').toString('utf8'));
    const offset = typeof parsed === 'object' && parsed !== null ? (parsed as { jobsOffset?: unknown }).jobsOffset : undefined;
    if (typeof offset === 'number' && Number.isInteger(offset) && offset >= 0) return offset;
  } catch {
    // falls through to the error below
  }
  throw argumentInvalid('Invalid continuation token');
}
