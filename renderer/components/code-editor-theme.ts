import { HighlightStyle, syntaxHighlighting } from '@codemirror/language';
import { tags } from '@lezer/highlight';
import { EditorView } from '@codemirror/view';
import type { Extension } from '@codemirror/state';

/** CodeMirror colours from the app's CSS variables, so light and dark themes apply without reconfiguring. */
export const editorTheme: Extension = [
  EditorView.theme({
    '&': { backgroundColor: 'var(--editor-bg)', color: 'var(--text)', fontSize: '13px', border: '1px solid var(--border)', borderRadius: '6px' },
    '&.cm-focused': { outline: '2px solid var(--focus)', outlineOffset: '-1px' },
    '.cm-content': { fontFamily: 'var(--mono)', caretColor: 'var(--text)' },
    '.cm-gutters': { backgroundColor: 'var(--panel)', color: 'var(--muted)', borderRight: '1px solid var(--border)' },
    '.cm-activeLine': { backgroundColor: 'var(--active-line)' },
    '.cm-activeLineGutter': { backgroundColor: 'var(--active-line)' },
    '&.cm-focused .cm-selectionBackground, .cm-selectionBackground, ::selection': { backgroundColor: 'var(--selection) !important' },
    '.cm-cursor': { borderLeftColor: 'var(--text)' },
    '.cm-tooltip': { backgroundColor: 'var(--panel)', color: 'var(--text)', border: '1px solid var(--border)' },
  }),
  syntaxHighlighting(
    HighlightStyle.define([
      { tag: tags.keyword, color: 'var(--syntax-keyword)', fontWeight: '600' },
      { tag: [tags.string, tags.special(tags.string)], color: 'var(--syntax-string)' },
      { tag: tags.number, color: 'var(--syntax-number)' },
      { tag: [tags.bool, tags.null], color: 'var(--syntax-atom)' },
      { tag: [tags.propertyName, tags.variableName], color: 'var(--syntax-property)' },
      { tag: tags.function(tags.variableName), color: 'var(--syntax-function)' },
      { tag: tags.operator, color: 'var(--syntax-operator)' },
      { tag: tags.invalid, color: 'var(--bad)' },
    ]),
  ),
];
