import { render, waitFor, type RenderResult } from '@testing-library/react';
import { EditorView } from '@codemirror/view';
import type { ReactElement } from 'react';

import { ApiProvider } from '../api/api-context.js';
import { createFakeApi, type FakeApi } from '../api/fake-client.js';
import { StudioStateProvider } from '../state/studio-context.js';

/** Renders `ui` inside the providers the app uses, with a fake API. */
export function renderWithStudio(ui: ReactElement, api: FakeApi = createFakeApi()): RenderResult & { api: FakeApi } {
  const result = render(
    <ApiProvider api={api}>
      <StudioStateProvider>{ui}</StudioStateProvider>
    </ApiProvider>,
  );
  return { ...result, api };
}

/** Waits for the CodeMirror editor inside the element with `data-testid` and replaces its text (as typing would). */
export async function setEditorText(container: HTMLElement, testId: string, text: string): Promise<void> {
  const view = await waitFor(() => {
    const host = container.querySelector(`[data-testid="${testId}"] .cm-editor`);
    const found = host ? EditorView.findFromDOM(host as HTMLElement) : null;
    if (!found) throw new Error(`no editor ${testId}`);
    return found;
  });
  view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } });
}

/** The text of the CodeMirror editor inside the element with `data-testid`. */
export function getEditorText(container: HTMLElement, testId: string): string {
  const host = container.querySelector(`[data-testid="${testId}"] .cm-editor`);
  const view = host ? EditorView.findFromDOM(host as HTMLElement) : null;
  if (!view) throw new Error(`no editor ${testId}`);
  return view.state.doc.toString();
}
