/**
 * The parser's view of the token list: look-ahead, accept / expect helpers, node spans, and the farthest-failure
 * bookkeeping behind `QuerySyntaxError.expected`: every failed test records what it wanted at the current
 * position, so an error lists everything that would have been accepted where parsing stopped.
 */
import type { Span } from './ast.js';
import { QuerySyntaxError } from './errors.js';
import type { Token } from './lexer.js';
import { syntaxErrorMessage } from './syntax-message.js';

/** Base class of the parser: a cursor over tokens that ends with an `end` token. */
export class TokenCursor {
  protected index = 0;
  private expectedAt = -1;
  private readonly expected = new Set<string>();

  constructor(protected readonly tokens: readonly Token[]) {}

  protected span(start: Token): Span {
    const last = this.tokens[this.index - 1] ?? start;
    return { position: start.position, length: Math.max(0, last.position + last.length - start.position) };
  }

  protected peek(): Token {
    return this.tokens[this.index] ?? (this.tokens[this.tokens.length - 1] as Token);
  }

  /** Tests the current token; a failed test records `label` as expected at this position. */
  protected check(label: string, test: (token: Token) => boolean): boolean {
    if (test(this.peek())) return true;
    this.note(label);
    return false;
  }

  protected note(label: string): void {
    const position = this.peek().position;
    if (position > this.expectedAt) {
      this.expectedAt = position;
      this.expected.clear();
    }
    if (position === this.expectedAt) this.expected.add(label);
  }

  protected acceptKeyword(keyword: string, label = keyword): boolean {
    if (!this.check(label, (t) => t.kind === 'keyword' && t.value === keyword)) return false;
    this.index++;
    return true;
  }

  protected expectKeyword(keyword: string): void {
    if (!this.acceptKeyword(keyword)) this.fail();
  }

  protected acceptSymbol(symbol: string): boolean {
    if (!this.check(symbol, (t) => t.kind === 'symbol' && t.text === symbol)) return false;
    this.index++;
    return true;
  }

  protected expectSymbol(symbol: string): void {
    if (!this.acceptSymbol(symbol)) this.fail();
  }

  protected fail(): never {
    const token = this.peek();
    const expected = token.position === this.expectedAt ? [...this.expected] : [];
    throw new QuerySyntaxError(syntaxErrorMessage(token, expected), token.position, token.length, expected);
  }
}
