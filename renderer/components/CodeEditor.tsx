import { defaultKeymap, history, historyKeymap, indentWithTab } from '@codemirror/commands';
import { bracketMatching, indentOnInput } from '@codemirror/language';
import { lintGutter } from '@codemirror/lint';
import { Compartment, EditorState, type Extension } from '@codemirror/state';
import { EditorView, highlightActiveLine, keymap, lineNumbers, placeholder as placeholderText } from '@codemirror/view';
import { useEffect, useId, useRef } from 'react';

import { editorTheme } from './code-editor-theme.js';

/** Props of the shared CodeMirror 6 editor. */
export interface CodeEditorProps {
  /** The text; when it changes from outside (reload, example picked) the document is replaced. */
  readonly value: string;
  readonly onChange?: (text: string) => void;
  /** Mod-Enter (run) and Mod-s (save) handlers. */
  readonly onSubmit?: () => void;
  readonly onSave?: () => void;
  /** Language, linter and similar extensions. */
  readonly extensions?: readonly Extension[];
  readonly readOnly?: boolean;
  readonly ariaLabel: string;
  readonly placeholder?: string;
  readonly className?: string;
  readonly testId?: string;
}

/** A CodeMirror 6 editor as a React component (keyboard-first: Tab indents, Escape then Tab leaves). */
export function CodeEditor(props: CodeEditorProps) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const latest = useRef(props);
  latest.current = props;
  const dynamic = useRef(new Compartment());
  const hintId = useId();

  useEffect(() => {
    const keys = keymap.of([
      { key: 'Mod-Enter', run: () => (latest.current.onSubmit ? (latest.current.onSubmit(), true) : false) },
      { key: 'Mod-s', preventDefault: true, run: () => (latest.current.onSave ? (latest.current.onSave(), true) : false) },
      ...defaultKeymap,
      ...historyKeymap,
      indentWithTab,
    ]);
    const state = EditorState.create({
      doc: latest.current.value,
      extensions: [
        keys,
        history(),
        lineNumbers(),
        highlightActiveLine(),
        bracketMatching(),
        indentOnInput(),
        lintGutter(),
        editorTheme,
        EditorView.lineWrapping,
        EditorView.contentAttributes.of({ 'aria-label': latest.current.ariaLabel, 'aria-describedby': hintId }),
        EditorView.updateListener.of((update) => {
          if (update.docChanged) latest.current.onChange?.(update.state.doc.toString());
        }),
        dynamic.current.of(configure(latest.current)),
      ],
    });
    const created = new EditorView({ state, parent: host.current as HTMLDivElement });
    view.current = created;
    return () => {
      created.destroy();
      view.current = null;
    };
  }, []);

  useEffect(() => {
    view.current?.dispatch({ effects: dynamic.current.reconfigure(configure(props)) });
  }, [props.extensions, props.readOnly, props.placeholder]);

  useEffect(() => {
    const current = view.current;
    if (current && current.state.doc.toString() !== props.value) {
      current.dispatch({ changes: { from: 0, to: current.state.doc.length, insert: props.value } });
    }
  }, [props.value]);

  return (
    <div className="code-editor-wrap">
      <div ref={host} className={`code-editor ${props.className ?? ''}`} data-testid={props.testId} />
      {/* Tab indents inside the editor, so keyboard users need the way out on screen (shown while it has focus). */}
      <p className="editor-hint muted small" id={hintId}>
        Tab indents · <kbd>Esc</kbd> then <kbd>Tab</kbd> leaves the editor
      </p>
    </div>
  );
}

function configure(props: CodeEditorProps): Extension {
  return [
    ...(props.extensions ?? []),
    EditorState.readOnly.of(props.readOnly ?? false),
    EditorView.editable.of(!(props.readOnly ?? false)),
    ...(props.placeholder ? [placeholderText(props.placeholder)] : []),
  ];
}
