// @vitest-environment jsdom
import { act, cleanup, fireEvent, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';

import { App } from './app.js';
import { createFakeApi } from './api/fake-client.js';
import { renderWithStudio } from './test-utils/render.js';

afterEach(cleanup);

describe('the shell for keyboard and screen-reader users', () => {
  it('has one h1, and Alt+1…4 move focus into the view they open', async () => {
    renderWithStudio(<App />, createFakeApi());
    expect(screen.getAllByRole('heading', { level: 1 }).map((heading) => heading.textContent)).toEqual(['Twin Studio']);
    for (const [key, label] of [['2', 'Traffic'], ['4', 'Query'], ['1', 'Devices']] as const) {
      act(() => void fireEvent.keyDown(window, { key, altKey: true }));
      await waitFor(() => expect(document.activeElement).toBe(screen.getByRole('main')));
      expect(screen.getByRole('main').getAttribute('aria-label')).toBe(label);
    }
  });

  it('tells how to leave a code editor (Esc then Tab), tied to the editor for screen readers', async () => {
    const api = createFakeApi();
    const { container } = renderWithStudio(<App />, api);
    act(() => void fireEvent.keyDown(window, { key: '4', altKey: true }));
    const content = await waitFor(() => {
      const found = container.querySelector('[data-testid="query-editor"] .cm-content');
      if (!found) throw new Error('no editor yet');
      return found;
    });
    const hint = document.getElementById(content.getAttribute('aria-describedby') ?? '');
    expect(hint?.textContent).toBe('Tab indents · Esc then Tab leaves the editor');
  });
});
