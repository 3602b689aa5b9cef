/**
 * Continuation tokens (iothub-protocol.md §9.1: opaque strings; self-contained is fine [I]). A token is
 * base64url of a small JSON object: a format version, a hash of the query's printed AST (so whitespace and
 * keyword case do not matter, but any other query is refused), and where the next page starts:
 * - streaming queries (SELECT * / projections): the index of the next twin to scan and how many rows were
 *   already returned (for TOP), so a page never rescans earlier twins;
 * - aggregate and GROUP BY queries: the offset into the computed rows.
 * A token may also name a server-side cursor (`c`) that resumes the query without re-running it; the position
 * stays in the token so a hub that no longer holds the cursor (restarted, evicted) can still serve the page.
 */
import { decodeBase64Url, decodeUtf8, encodeBase64Url, encodeUtf8 } from '../util/base64url.js';
import { QueryContinuationError } from './errors.js';

/** Where the next page of a streaming query starts. */
export interface ScanPosition {
  readonly kind: 'scan';
  readonly scanned: number;
  readonly returned: number;
  /** Id of the server-side cursor holding this position, when one was kept. */
  readonly cursor?: string;
}

/** Where the next page of an aggregate query starts. */
export interface RowPosition {
  readonly kind: 'rows';
  readonly offset: number;
  /** Id of the server-side cursor holding the computed rows, when one was kept. */
  readonly cursor?: string;
}

/** A decoded continuation. */
export type PagePosition = ScanPosition | RowPosition;

const VERSION = 1;
/** Cursor ids are short URL-safe strings chosen by the server. */
const CURSOR_ID = /^[A-Za-z0-9_.-]{1,64}$/;

/** Hashes text into 16 hex digits (two FNV-1a 32-bit lanes with different offsets). */
export function hashText(text: string): string {
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193 ^ 0x5bd1e995;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ code, 0x01000193);
    h2 = Math.imul(h2 ^ code, 0x01000193) ^ (h2 >>> 15);
  }
  return (h1 >>> 0).toString(16).padStart(8, '0') + (h2 >>> 0).toString(16).padStart(8, '0');
}

/** Builds the token for `position` of the query whose hash is `queryHash`. */
export function encodeContinuation(queryHash: string, position: PagePosition): string {
  const body = position.kind === 'scan'
    ? { v: VERSION, q: queryHash, s: position.scanned, n: position.returned }
    : { v: VERSION, q: queryHash, r: position.offset };
  if (position.cursor !== undefined) {
    if (!CURSOR_ID.test(position.cursor)) throw new RangeError(`Invalid cursor id '${position.cursor}'`);
    return encodeBase64Url(encodeUtf8(JSON.stringify({ ...body, c: position.cursor })));
  }
  return encodeBase64Url(encodeUtf8(JSON.stringify(body)));
}

/** Reads a token; throws QueryContinuationError when it is malformed or belongs to another query. */
export function decodeContinuation(token: string, queryHash: string): PagePosition {
  const body = parseToken(token);
  if (body === undefined || body['v'] !== VERSION || typeof body['q'] !== 'string') {
    throw new QueryContinuationError('Invalid continuation token');
  }
  if (body['q'] !== queryHash) {
    throw new QueryContinuationError(
      'The continuation token was issued for a different query; re-send the query that returned it');
  }
  const [s, n, r, c] = [body['s'], body['n'], body['r'], body['c']];
  // A malformed cursor id is ignored rather than refused: the position alone still serves the page.
  const cursor = typeof c === 'string' && CURSOR_ID.test(c) ? { cursor: c } : {};
  if (isCount(s) && isCount(n)) return { kind: 'scan', scanned: s, returned: n, ...cursor };
  if (isCount(r)) return { kind: 'rows', offset: r, ...cursor };
  throw new QueryContinuationError('Invalid continuation token');
}

function parseToken(token: string): Record<string, unknown> | undefined {
  const bytes = decodeBase64Url(token.trim());
  const text = bytes && decodeUtf8(bytes);
  if (text === undefined) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}
