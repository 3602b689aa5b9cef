import { ensureSyntaxTree, syntaxTree } from '@codemirror/language';
import type { Diagnostic } from '@codemirror/lint';
import type { EditorState } from '@codemirror/state';
import type { EditorView } from '@codemirror/view';

/**
 * Where JSON text stops being valid: the first error node of the JSON grammar's syntax tree (the token the parser
 * could not take), else the "at position N" / "line L column C" of the engine's message, else the end of the text.
 * V8's `JSON.parse` messages often carry no position (`Unexpected token 'x', "…" is not valid JSON`), which put
 * CodeMirror's own marker on column 1.
 */
export function jsonErrorPosition(state: EditorState, message: string): number {
  let found: number | undefined;
  (ensureSyntaxTree(state, state.doc.length, 200) ?? syntaxTree(state)).iterate({
    enter: (node) => {
      if (found !== undefined) return false;
      if (node.type.isError) {
        found = node.from;
        return false;
      }
      return undefined;
    },
  });
  if (found !== undefined) return Math.min(found, state.doc.length);
  const atPosition = /at position (\d+)/.exec(message);
  if (atPosition) return Math.min(Number(atPosition[1]), state.doc.length);
  const atLine = /line (\d+) column (\d+)/.exec(message);
  if (atLine && Number(atLine[1]) <= state.doc.lines) return Math.min(state.doc.line(Number(atLine[1])).from + Number(atLine[2]) - 1, state.doc.length);
  return state.doc.length;
}

/** JSON syntax diagnostics with the marker on the bad token (a drop-in for `jsonParseLinter()`). */
export function jsonSyntaxLinter(): (view: EditorView) => Diagnostic[] {
  return (view) => {
    const text = view.state.doc.toString();
    try {
      JSON.parse(text);
      return [];
    } catch (error) {
      const message = error instanceof Error ? error.message : 'Invalid JSON';
      const from = jsonErrorPosition(view.state, message);
      return [{ from, to: Math.min(view.state.doc.length, from + 1), severity: 'error', message }];
    }
  };
}
