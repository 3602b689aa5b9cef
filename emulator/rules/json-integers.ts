import { TWIN_LIMITS } from './twin-rules.js';

/** An integer literal of a JSON text outside the twin range, and where it starts (0-based character offset). */
export interface IntegerLiteralBreak {
  readonly literal: string;
  readonly position: number;
}

const MAX = BigInt(TWIN_LIMITS.maxSafeInteger);
const MIN = BigInt(TWIN_LIMITS.minSafeInteger);

/**
 * The first integer literal (a JSON number written without `.`, `e` or `E`) outside −2^52 … 2^52−1, or undefined.
 *
 * Why the text: IoT Hub's JSON reader types every number token, and the twin integer range (iothub-protocol.md
 * §7.3, §10) applies to integer tokens only; `1.0e16` or `1e300` is a floating-point value and is accepted. Once
 * parsed, JavaScript cannot tell `1.0e16` from `10000000000000000`, so edges that have the text check it here and
 * validate the parsed value without the integer rule. The text must be valid JSON (parse it first).
 */
export function findOutOfRangeInteger(text: string): IntegerLiteralBreak | undefined {
  let i = 0;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 0x22) i = skipString(text, i);
    else if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
      const end = numberEnd(text, i);
      const literal = text.slice(i, end);
      if (isOutOfRange(literal)) return { literal, position: i };
      i = end;
    } else i += 1;
  }
  return undefined;
}

/** The offset after the closing quote of the string starting at `start`. */
function skipString(text: string, start: number): number {
  let i = start + 1;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 0x5c) i += 2;
    else if (c === 0x22) return i + 1;
    else i += 1;
  }
  return i;
}

function numberEnd(text: string, start: number): number {
  let i = start + 1;
  while (i < text.length && /[0-9eE+\-.]/.test(text.charAt(i))) i += 1;
  return i;
}

function isOutOfRange(literal: string): boolean {
  if (/[.eE]/.test(literal)) return false;
  // 16 significant digits or fewer always fit (2^52 has 16 digits); only then is the exact comparison needed.
  if (literal.replace(/^-?0*/, '').length < 16) return false;
  const value = BigInt(literal);
  return value > MAX || value < MIN;
}
