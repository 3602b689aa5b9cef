// @vitest-environment jsdom
import { json } from '@codemirror/lang-json';
import { EditorState } from '@codemirror/state';
import { act, cleanup, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';

import { createFakeApi } from '../api/fake-client.js';
import { forgetDrafts } from '../features/twin-editor/draft-store.js';
import { TwinPanel } from '../features/twin-editor/TwinPanel.js';
import { renderWithStudio, setEditorText } from '../test-utils/render.js';
import { jsonErrorPosition } from './json-syntax-lint.js';

afterEach(() => {
  cleanup();
  forgetDrafts();
});

function position(text: string): number {
  let message = '';
  try {
    JSON.parse(text);
  } catch (error) {
    message = (error as Error).message;
  }
  return jsonErrorPosition(EditorState.create({ doc: text, extensions: [json()] }), message);
}

describe('the JSON syntax marker', () => {
  it('sits on the token the parser could not take', () => {
    expect(position('{ "a": 1, "b": x }')).toBe('{ "a": 1, "b": '.length);
    expect(position('{\n  "a": 1\n  "b": 2\n}')).toBe('{\n  "a": 1\n  '.length);
    expect(position('{ "a": 1,')).toBe('{ "a": 1,'.length);
  });

  it('underlines the bad token in the twin editor, not column 1', async () => {
    const api = createFakeApi();
    api.addDevice('dev-1', { desired: { a: 1 } });
    const { container } = renderWithStudio(<TwinPanel deviceId="dev-1" />, api);
    await screen.findByTestId('reported-json');
    await act(() => setEditorText(container, 'desired-editor', '{\n  "a": 1,\n  "b": nope\n}'));
    await waitFor(() => expect(container.querySelector('[data-testid="desired-editor"] .cm-lintRange-error')?.textContent).toBe('n'), { timeout: 3000 });
  });
});
