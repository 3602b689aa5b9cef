/**
 * Stage 1 (house-style H12): query text → tokens with positions.
 *
 * Lexical rules (iothub-protocol.md §9.2):
 * - keywords are case-insensitive and reported upper-case in `value`;
 * - identifiers: a letter, `_` or `$`, then letters, digits, `_`, `$` (so `$metadata`, `$version` lex as names);
 * - `[[name]]` escapes a name (for reserved words such as `group`); it is never a keyword;
 * - numbers: decimal with optional fraction and exponent, or `0x` hex;
 * - strings: single or double quotes with escapes `\'` `\"` `\\` `\uXXXX` (and the JSON escapes `\/ \b \f \n \r \t`).
 */
import { QuerySyntaxError } from './errors.js';

/** What a token is. `end` is the single token after the last character. */
export type TokenKind = 'keyword' | 'identifier' | 'escapedName' | 'number' | 'string' | 'symbol' | 'end';

/** One token. `value` is the upper-cased keyword, the name, the decoded string, the number or the symbol. */
export interface Token {
  readonly kind: TokenKind;
  readonly value: string | number;
  readonly text: string;
  readonly position: number;
  readonly length: number;
}

/** Reserved words of the documented grammar. Use `[[word]]` to name a property spelled like one of them. */
export const KEYWORDS: ReadonlySet<string> = new Set([
  'SELECT', 'FROM', 'WHERE', 'GROUP', 'BY', 'TOP', 'AS',
  'AND', 'OR', 'NOT', 'IN', 'NIN', 'TRUE', 'FALSE', 'NULL', 'UNDEFINED',
]);

const SYMBOLS = ['<=', '>=', '<>', '!=', '(', ')', '[', ']', ',', '.', '*', '+', '-', '/', '%', '=', '<', '>'];
const IDENTIFIER = /[A-Za-z_$\p{L}][A-Za-z0-9_$\p{L}\p{N}]*/uy;
const NUMBER = /0[xX][0-9A-Fa-f]+|\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const NAME_TAIL = /[A-Za-z0-9_$\p{L}\p{N}]/u;
const ESCAPED_NAME = /^[^[\]'"\s.\u0000-\u001f\u007f-\u009f]+$/u;
const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  "'": "'", '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t',
};

/** Splits `text` into tokens; the last token is always `end`. Throws QuerySyntaxError on a lexical error. */
export function lex(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text.charAt(i);
    if (/\s/u.test(ch)) {
      i++;
      continue;
    }
    const token = lexToken(text, i, ch);
    tokens.push(token);
    i += token.length;
  }
  tokens.push({ kind: 'end', value: '', text: '', position: text.length, length: 0 });
  return tokens;
}

function lexToken(text: string, start: number, ch: string): Token {
  if (ch === "'" || ch === '"') return lexString(text, start, ch);
  if (ch >= '0' && ch <= '9') return lexNumber(text, start);
  if (ch === '[' && text.charAt(start + 1) === '[') {
    const escaped = lexEscapedName(text, start);
    if (escaped) return escaped;
  }
  IDENTIFIER.lastIndex = start;
  const word = IDENTIFIER.exec(text);
  if (word) {
    const upper = word[0].toUpperCase();
    const kind = KEYWORDS.has(upper) ? 'keyword' : 'identifier';
    return make(kind, kind === 'keyword' ? upper : word[0], text, start, word[0].length);
  }
  for (const symbol of SYMBOLS) {
    if (text.startsWith(symbol, start)) return make('symbol', symbol, text, start, symbol.length);
  }
  const shown = String.fromCodePoint(text.codePointAt(start) ?? 0);
  throw new QuerySyntaxError(
    `Syntax error at position ${start}: unexpected character '${shown}'`, start, shown.length);
}

function make(kind: TokenKind, value: string | number, text: string, position: number, length: number): Token {
  return { kind, value, text: text.slice(position, position + length), position, length };
}

function lexNumber(text: string, start: number): Token {
  NUMBER.lastIndex = start;
  const match = NUMBER.exec(text);
  const raw = match ? match[0] : text.charAt(start);
  const end = start + raw.length;
  if (NAME_TAIL.test(text.charAt(end))) {
    let stop = end;
    while (stop < text.length && NAME_TAIL.test(text.charAt(stop))) stop++;
    const bad = text.slice(start, stop);
    throw new QuerySyntaxError(
      `Syntax error at position ${start}: invalid number '${bad}'`, start, stop - start, ['number']);
  }
  const value = raw.startsWith('0x') || raw.startsWith('0X') ? Number.parseInt(raw.slice(2), 16) : Number(raw);
  return make('number', value, text, start, raw.length);
}

function lexEscapedName(text: string, start: number): Token | undefined {
  const close = text.indexOf(']]', start + 2);
  if (close < 0) return undefined;
  const name = text.slice(start + 2, close);
  // Anything that cannot be a twin key (spaces, quotes, brackets, dots) means this is a nested array constant.
  if (!ESCAPED_NAME.test(name)) return undefined;
  return make('escapedName', name, text, start, close + 2 - start);
}

function lexString(text: string, start: number, quote: string): Token {
  let value = '';
  let i = start + 1;
  while (i < text.length) {
    const ch = text.charAt(i);
    if (ch === quote) return make('string', value, text, start, i + 1 - start);
    if (ch !== '\\') {
      value += ch;
      i++;
      continue;
    }
    const next = text.charAt(i + 1);
    const simple = SIMPLE_ESCAPES[next];
    if (simple !== undefined) {
      value += simple;
      i += 2;
    } else if (next === 'u' && /^[0-9A-Fa-f]{4}$/.test(text.slice(i + 2, i + 6))) {
      value += String.fromCharCode(Number.parseInt(text.slice(i + 2, i + 6), 16));
      i += 6;
    } else {
      const bad = text.slice(i, next === 'u' ? Math.min(i + 6, text.length) : i + 2);
      throw new QuerySyntaxError(
        `Syntax error at position ${i}: invalid escape sequence '${bad}' in string`, i, bad.length,
        ["\\'", '\\"', '\\\\', '\\uXXXX']);
    }
  }
  throw new QuerySyntaxError(
    `Syntax error at position ${start}: unterminated string (expected closing ${quote})`,
    start, text.length - start, [quote]);
}
