import { createHmac, timingSafeEqual } from 'node:crypto';

import { decodeBase64Key } from './key.js';
import { decodePercentStrict } from './percent-decoding.js';

/** A parsed `SharedAccessSignature …` token (iothub-protocol.md §2.2). */
export interface SasToken {
  /** `sr` exactly as sent, still percent-encoded. The signature covers this text, never a re-encoded form. */
  rawSr: string;
  /** `sr` percent-decoded, e.g. `hub.azure-devices.net/devices/dev1`. */
  resource: string;
  /** `sig` percent-decoded: base64 of the HMAC-SHA256. */
  sig: string;
  /** Expiry in whole seconds since the Unix epoch. */
  se: number;
  /** `se` exactly as sent; it is part of the signed text. */
  rawSe: string;
  /** Policy (key) name, percent-decoded; absent for device and module key tokens. */
  skn?: string;
}

/** Result of {@link parseSasToken}; parsing never throws (house-style H8). */
export type SasTokenParseResult = { ok: true; value: SasToken } | { ok: false; error: string };

/** Input of {@link createSasToken}. */
export interface CreateSasTokenOptions {
  /** Unencoded resource URI, e.g. `localhost/devices/dev1` or just the host for a policy token. */
  resourceUri: string;
  /** Base64 symmetric key (device, module or policy key). */
  base64Key: string;
  /** Expiry, whole seconds since the Unix epoch. */
  expiresAtSeconds: number;
  /** Policy name; adds `skn` (service tokens and device tokens signed with a hub-level policy). */
  policyName?: string;
}

const SCHEME = 'SharedAccessSignature';
const KNOWN_FIELDS = new Set(['sr', 'sig', 'se', 'skn']);
const REQUIRED_FIELDS = ['sr', 'sig', 'se'] as const;
/** Plain decimal seconds; 16 digits is beyond any real expiry but still a safe integer check away from overflow. */
const SECONDS = /^\d{1,16}$/;
const SIGNATURE = /^[A-Za-z0-9+/]+={0,2}$/;
const HMAC_SHA256_BYTES = 32;

/**
 * Parses a SAS token. Fields may come in any order (Node `sr,sig,skn,se`, Python `sr,sig,se,skn`, docs
 * `sig,se,skn,sr`); unknown fields are ignored; missing or duplicated `sr`/`sig`/`se`/`skn`, a non-integer `se`, a
 * bad scheme prefix or malformed percent-encoding produce an error result. iothub-protocol.md §2.2.
 */
export function parseSasToken(text: string): SasTokenParseResult {
  // Node's own parser splits on whitespace and wants exactly two parts (§2.2); surrounding whitespace is forgiven.
  const parts = text.trim().split(/\s+/);
  if (parts.length !== 2 || parts[0] !== SCHEME) {
    return fail(`a SAS token must look like "${SCHEME} sr=…&sig=…&se=…"`);
  }
  const fields = new Map<string, string>();
  for (const segment of (parts[1] ?? '').split('&')) {
    if (segment === '') continue;
    const eq = segment.indexOf('=');
    if (eq <= 0) return fail(`malformed SAS field "${segment}"`);
    const name = segment.slice(0, eq);
    if (!KNOWN_FIELDS.has(name)) continue;
    if (fields.has(name)) return fail(`duplicate SAS field "${name}"`);
    const value = segment.slice(eq + 1);
    if (value === '') return fail(`empty SAS field "${name}"`);
    fields.set(name, value);
  }
  for (const name of REQUIRED_FIELDS) {
    if (!fields.has(name)) return fail(`SAS token is missing the field "${name}"`);
  }
  return buildToken(fields);
}

function buildToken(fields: ReadonlyMap<string, string>): SasTokenParseResult {
  const rawSr = fields.get('sr') ?? '';
  const rawSig = fields.get('sig') ?? '';
  const rawSe = fields.get('se') ?? '';
  const rawSkn = fields.get('skn');
  const se = SECONDS.test(rawSe) ? Number(rawSe) : Number.NaN;
  if (!Number.isSafeInteger(se)) return fail('SAS field "se" must be an integer number of seconds');
  const resource = decodePercentStrict(rawSr);
  if (!resource.ok) return fail(`SAS field "sr": ${resource.error}`);
  const sig = decodePercentStrict(rawSig);
  if (!sig.ok) return fail(`SAS field "sig": ${sig.error}`);
  const token: SasToken = { rawSr, resource: resource.value, sig: sig.value, se, rawSe };
  if (rawSkn !== undefined) {
    const skn = decodePercentStrict(rawSkn);
    if (!skn.ok) return fail(`SAS field "skn": ${skn.error}`);
    token.skn = skn.value;
  }
  return { ok: true, value: token };
}

function fail(error: string): { ok: false; error: string } {
  return { ok: false, error };
}

/**
 * Base64 HMAC-SHA256 over `rawSr + "\n" + se` with the base64-decoded key; the result is not URL-encoded.
 * `rawSr` must be the still-encoded text from the token. iothub-protocol.md §2.3.
 */
export function computeSasSignature(base64Key: string, rawSr: string, se: number | string): string {
  return hmac(Buffer.from(base64Key, 'base64'), rawSr, String(se)).toString('base64');
}

function hmac(key: Buffer, rawSr: string, rawSe: string): Buffer {
  return createHmac('sha256', key).update(`${rawSr}\n${rawSe}`, 'utf8').digest();
}

/**
 * True when the token's signature was made with one of `base64Keys` (primary, secondary, …). Compares in constant
 * time over the raw `sr` and raw `se` text. Empty or non-base64 keys never match; a malformed `sig` never matches.
 * Checks the signature only: expiry ({@link isSasTokenExpired}) and scope ({@link matchesResource}) are separate.
 * iothub-protocol.md §2.3 steps 1-2.
 */
export function verifySasSignature(token: SasToken, base64Keys: readonly string[], keyEncoding: 'base64' | 'text' = 'base64'): boolean {
  if (!SIGNATURE.test(token.sig)) return false;
  const given = Buffer.from(token.sig, 'base64');
  if (given.length !== HMAC_SHA256_BYTES) return false;
  let matched = false;
  for (const base64Key of base64Keys) {
    // IoT Hub signs with the decoded key; Service Bus / Event Hubs clients sign with the key's text as UTF-8.
    const key = keyEncoding === 'base64' ? decodeBase64Key(base64Key) : Buffer.from(base64Key, 'utf8');
    if (key === undefined) continue;
    // No early exit: the time taken does not reveal which key (primary or secondary) matched.
    if (timingSafeEqual(hmac(key, token.rawSr, token.rawSe), given)) matched = true;
  }
  return matched;
}

/**
 * True when the token has expired at `nowSeconds` (`se` ≤ now), optionally allowing `graceSeconds` of clock skew.
 * The clock is the caller's (house-style H11). iothub-protocol.md §2.3 step 4.
 */
export function isSasTokenExpired(token: SasToken, nowSeconds: number, graceSeconds = 0): boolean {
  return token.se + graceSeconds <= nowSeconds;
}

/**
 * Builds a token the way the Node SDK does (`azure-iot-common` `SharedAccessSignature.create`): fields in the order
 * `sr,sig,skn,se`, `sr` = strict `encodeURIComponent(resourceUri)`, `sig` URL-encoded, `skn` only with a policy.
 * Throws a RangeError for a non-integer expiry (a programming error, not input validation).
 */
export function createSasToken(options: CreateSasTokenOptions): string {
  const { resourceUri, base64Key, expiresAtSeconds, policyName } = options;
  if (!Number.isSafeInteger(expiresAtSeconds) || expiresAtSeconds <= 0) {
    throw new RangeError(`expiresAtSeconds must be a positive integer, got ${expiresAtSeconds}`);
  }
  const sr = encodeComponentStrict(resourceUri);
  const sig = encodeComponentStrict(computeSasSignature(base64Key, sr, expiresAtSeconds));
  const skn = policyName ? `&skn=${encodeComponentStrict(policyName)}` : '';
  return `${SCHEME} sr=${sr}&sig=${sig}${skn}&se=${expiresAtSeconds}`;
}

/** `encodeURIComponent` plus `!'()*`, as `azure-iot-common` `encodeUriComponentStrict` (we use upper-case hex). */
function encodeComponentStrict(text: string): string {
  return encodeURIComponent(text).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/** `scheme://` prefix some hand-made tokens carry in `sr` (Event Hubs style); not part of the IoT Hub scope. */
const SCHEME_PREFIX = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//;

/**
 * True when the token's (decoded) resource covers `expected`: case-insensitive, prefix per path segment, so
 * `host/devices/a` covers `host/devices/a` and `host/devices/a/modules/m` but not `host/devices/ab`; a bare `host`
 * covers everything on that hub. Trailing slashes and a leading `scheme://` are ignored. iothub-protocol.md §2.3
 * step 3.
 */
export function matchesResource(tokenResource: string, expected: string): boolean {
  const scope = normalizeResource(tokenResource);
  const target = normalizeResource(expected);
  if (scope === '' || target === '') return false;
  return target === scope || target.startsWith(`${scope}/`);
}

function normalizeResource(resource: string): string {
  return resource.replace(SCHEME_PREFIX, '').replace(/\/+$/, '').toLowerCase();
}
