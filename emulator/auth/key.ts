import { randomBytes } from 'node:crypto';

/** Standard base64 alphabet with optional padding (no whitespace, no URL-safe alphabet: no SDK emits those). */
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/**
 * Generates a symmetric key the way the hub does when a device is created without keys: 32 random bytes, base64.
 * iothub-protocol.md §8.3 ("base64, 32 random bytes is conventional").
 */
export function generateSymmetricKey(): string {
  return randomBytes(32).toString('base64');
}

/** Bounds for {@link isValidBase64Key}, in decoded bytes. */
export interface Base64KeyBounds {
  /** Smallest accepted key, default 16 bytes. */
  minBytes?: number;
  /** Largest accepted key, default 64 bytes. */
  maxBytes?: number;
}

/**
 * True when `text` is canonical base64 (length a multiple of 4, correct padding) whose decoded length lies within
 * `bounds` (default 16..64 bytes, the range the hub is understood to accept for symmetric keys; unconfirmed).
 * Use it where keys enter the registry; signature checks use the looser {@link decodeBase64Key}.
 */
export function isValidBase64Key(text: string, bounds: Base64KeyBounds = {}): boolean {
  const { minBytes = 16, maxBytes = 64 } = bounds;
  if (text.length === 0 || text.length % 4 !== 0 || !BASE64.test(text)) return false;
  const bytes = Buffer.from(text, 'base64');
  // Re-encoding catches non-zero trailing bits and a "=" that does not belong (e.g. "AA=A" fails the regex, "AB==" with
  // stray low bits would decode but not round-trip).
  if (bytes.toString('base64') !== text) return false;
  return bytes.length >= minBytes && bytes.length <= maxBytes;
}

/**
 * Decodes a key for HMAC use, or returns undefined when the text is empty or not base64. Padding is optional, as it
 * is for the SDKs' own `Buffer.from(key, 'base64')`, so a key that signs on the device also verifies here.
 */
export function decodeBase64Key(text: string): Buffer | undefined {
  if (text.length === 0 || !BASE64.test(text)) return undefined;
  const bytes = Buffer.from(text, 'base64');
  return bytes.length > 0 ? bytes : undefined;
}
