/**
 * Wording of syntax errors: "Syntax error at position 9: expected FROM but found 'FORM'". Long expected-sets
 * are summarised for people ("an expression", "an operator"); the full list stays in `QuerySyntaxError.expected`.
 * Known SQL features IoT Hub lacks get a hint (iothub-protocol.md §9.2 "Not supported").
 */
import type { Token } from './lexer.js';

const EXPRESSION_LABELS = new Set(['path', 'constant', 'function call', '(', '[', 'NOT', '-', '+']);
const OPERATOR_LABELS = new Set(['=', '!=', '<>', '<', '>', '<=', '>=', '+', '-', '*', '/', '%']);
const SYMBOL_LABELS = new Set([...OPERATOR_LABELS, '(', ')', '[', ']', ',', '.']);

const HINTS: Readonly<Record<string, string>> = {
  ORDER: 'ORDER BY is not supported by IoT Hub queries',
  JOIN: 'JOIN is not supported by IoT Hub queries (devices and devices.modules cannot be joined)',
  DISTINCT: 'DISTINCT is not supported by IoT Hub queries',
  LIMIT: 'LIMIT is not supported; use SELECT TOP n',
  HAVING: 'HAVING is not supported by IoT Hub queries',
};

/** Builds the message for an unexpected `token` when `expected` would have been accepted. */
export function syntaxErrorMessage(token: Token, expected: readonly string[]): string {
  const found = token.kind === 'end' ? 'end of query' : `'${token.text}'`;
  const wanted = summarise(expected);
  const head = `Syntax error at position ${token.position}: `
    + (wanted.length > 0 ? `expected ${joinOr(wanted)} but found ${found}` : `unexpected ${found}`);
  const hint = hintFor(token, expected);
  return hint === undefined ? head : `${head} (${hint})`;
}

function summarise(expected: readonly string[]): string[] {
  const labels = [...expected];
  const out: string[] = [];
  const isExpression = labels.includes('path') && labels.includes('constant');
  const operatorCount = labels.filter((l) => OPERATOR_LABELS.has(l)).length;
  for (const label of labels) {
    if (isExpression && EXPRESSION_LABELS.has(label)) {
      if (!out.includes('an expression')) out.push('an expression');
    } else if (operatorCount >= 4 && OPERATOR_LABELS.has(label)) {
      if (!out.includes('an operator')) out.push('an operator');
    } else out.push(SYMBOL_LABELS.has(label) ? `'${label}'` : label);
  }
  return out;
}

function joinOr(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} or ${items[items.length - 1] ?? ''}`;
}

function hintFor(token: Token, expected: readonly string[]): string | undefined {
  const word = token.text.toUpperCase();
  if (token.kind === 'identifier' && HINTS[word] !== undefined) return HINTS[word];
  if (token.kind === 'keyword' && (expected.includes('name') || expected.includes('path'))) {
    return `${word} is a reserved word; escape the property name as [[${token.text}]]`;
  }
  if (expected.includes('collection') && token.text === '(') return 'sub-queries are not supported by IoT Hub queries';
  if (token.kind === 'keyword' && word === 'SELECT') return 'sub-queries are not supported by IoT Hub queries';
  return undefined;
}
