/**
 * Quoting helpers for building query text safely (house-style §8: no queries built by string interpolation).
 * The query console and tests use them; `print` uses them too, so printed ASTs re-parse.
 */
import { KEYWORDS } from './lexer.js';

const PLAIN_NAME = /^[A-Za-z_$\p{L}][A-Za-z0-9_$\p{L}\p{N}]*$/u;
const ESCAPABLE_NAME = /^[^[\]'"\s.\u0000-\u001f\u007f-\u009f]+$/u;

/**
 * Returns `value` as a single-quoted query string literal: `'`, `\` and control characters are escaped, so
 * `quoteString("O'Brien")` is `'O\'Brien'` and the result always lexes back to exactly `value`.
 */
export function quoteString(value: string): string {
  let out = "'";
  for (let i = 0; i < value.length; i++) {
    const ch = value.charAt(i);
    const code = value.charCodeAt(i);
    if (ch === "'" || ch === '\\') out += '\\' + ch;
    else if (code < 0x20 || (code >= 0x7f && code <= 0x9f) || (code >= 0xd800 && code <= 0xdfff && !isPairedSurrogate(value, i))) {
      out += '\\u' + code.toString(16).padStart(4, '0');
    } else out += ch;
  }
  return out + "'";
}

/**
 * Returns a property name ready to use as one path segment: unchanged when it is a plain identifier, otherwise
 * escaped as `[[name]]` (reserved words such as `group`, names starting with a digit, names with `-` …).
 * Throws RangeError for names no query can express (containing `]]`, brackets, quotes, spaces or dots).
 */
export function quoteName(name: string): string {
  if (PLAIN_NAME.test(name) && !KEYWORDS.has(name.toUpperCase())) return name;
  if (!ESCAPABLE_NAME.test(name)) {
    throw new RangeError(`The name '${name}' cannot be written in an IoT Hub query`);
  }
  return `[[${name}]]`;
}

/** Joins segments into a path, escaping each with `quoteName`: `quotePath(['tags', 'group'])` is `tags.[[group]]`. */
export function quotePath(segments: readonly string[]): string {
  return segments.map(quoteName).join('.');
}

function isPairedSurrogate(value: string, i: number): boolean {
  const code = value.charCodeAt(i);
  if (code <= 0xdbff) {
    const next = value.charCodeAt(i + 1);
    return next >= 0xdc00 && next <= 0xdfff;
  }
  const previous = value.charCodeAt(i - 1);
  return previous >= 0xd800 && previous <= 0xdbff;
}
