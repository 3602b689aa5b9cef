import { StreamLanguage, type StringStream } from '@codemirror/language';
import { linter, type Diagnostic } from '@codemirror/lint';
import type { Extension } from '@codemirror/state';

import { checkQuery } from '../../../emulator/query/index.js';
import { FUNCTIONS } from '../../../emulator/query/functions.js';
import { KEYWORDS } from '../../../emulator/query/lexer.js';

/**
 * Highlighting for the IoT Hub query language, with the engine's own keyword and function tables (so a word
 * highlights as a keyword exactly when the parser treats it as one).
 */
const queryStream = StreamLanguage.define<{ inString: string | undefined }>({
  name: 'iothub-query',
  startState: () => ({ inString: undefined }),
  token(stream: StringStream, state) {
    if (state.inString) return readString(stream, state);
    if (stream.eatSpace()) return null;
    const quote = stream.peek();
    if (quote === "'" || quote === '"') {
      stream.next();
      state.inString = quote;
      return readString(stream, state);
    }
    if (stream.match(/^\[\[[^\]]*\]\]/)) return 'propertyName';
    if (stream.match(/^(0[xX][0-9A-Fa-f]+|\d+(\.\d+)?([eE][+-]?\d+)?)/)) return 'number';
    const word = stream.match(/^[A-Za-z_$][A-Za-z0-9_$]*/) as RegExpMatchArray | null;
    if (word) {
      const upper = word[0].toUpperCase();
      if (KEYWORDS.has(upper)) return upper === 'TRUE' || upper === 'FALSE' ? 'bool' : upper === 'NULL' || upper === 'UNDEFINED' ? 'null' : 'keyword';
      if (FUNCTIONS.has(upper) && stream.match(/^\s*\(/, false)) return 'function(variableName)';
      return 'propertyName';
    }
    if (stream.match(/^(<=|>=|<>|!=|[=<>+\-*/%])/)) return 'operator';
    stream.next();
    return 'punctuation';
  },
});

function readString(stream: StringStream, state: { inString: string | undefined }): string {
  let escaped = false;
  while (!stream.eol()) {
    const ch = stream.next();
    if (ch === state.inString && !escaped) {
      state.inString = undefined;
      break;
    }
    escaped = !escaped && ch === '\\';
  }
  return 'string';
}

/** Inline errors from the query engine as you type (house-style H13: no round trip to the host). */
export const queryLinter: Extension = linter(
  (view) => {
    const text = view.state.doc.toString();
    if (!text.trim()) return [];
    return checkQuery(text).map((diagnostic): Diagnostic => {
      const from = Math.min(diagnostic.position, text.length);
      // A zero-length span (end of input) still needs one visible character.
      const to = Math.min(text.length, from + Math.max(diagnostic.length, 1));
      return { from: to > from ? from : Math.max(0, from - 1), to, severity: 'error', message: diagnostic.message, source: 'query' };
    });
  },
  { delay: 150 },
);

/** Language + linter for the query editor. */
export const queryExtensions: readonly Extension[] = [queryStream, queryLinter];
