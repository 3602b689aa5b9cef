// @vitest-environment jsdom
import { act, cleanup, fireEvent, screen, waitFor } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { renderWithStudio, setEditorText } from '../../test-utils/render.js';
import { QueryConsole } from './QueryConsole.js';

beforeEach(() => window.localStorage.clear());
afterEach(cleanup);

function runButton(): HTMLButtonElement {
  return screen.getByRole('button', { name: /Run query/ }) as HTMLButtonElement;
}

describe('the query console', () => {
  it('shows the engine error with its column as you type and disables Run', async () => {
    const { container } = renderWithStudio(<QueryConsole />);
    await act(() => setEditorText(container, 'query-editor', 'SELECT * FROM devices WHERE'));
    const problems = await screen.findByTestId('query-problems');
    expect(problems.textContent).toBe('line 1, col 28: Syntax error: expected an expression but found end of query');
    expect(runButton().disabled).toBe(true);
    await act(() => setEditorText(container, 'query-editor', 'SELECT * FROM devicez'));
    expect((await screen.findByTestId('query-problems')).textContent).toContain('devicez');
    await act(() => setEditorText(container, 'query-editor', 'SELECT * FROM devices'));
    await waitFor(() => expect(screen.queryByTestId('query-problems')).toBeNull());
    expect(runButton().disabled).toBe(false);
  });

  it('underlines the error span in the editor', async () => {
    const { container } = renderWithStudio(<QueryConsole />);
    await act(() => setEditorText(container, 'query-editor', 'SELECT * FROM devices WHERE tags.x = '));
    await waitFor(() => expect(container.querySelector('.cm-lintRange-error')).not.toBeNull(), { timeout: 3000 });
  });

  it('runs a GROUP BY query and shows the rows as a table and as JSON; remembers it in the history', async () => {
    const api = (await import('../../api/fake-client.js')).createFakeApi();
    api.addDevice('a', { tags: { site: 'lab' } });
    api.addDevice('b', { tags: { site: 'lab' } });
    api.addDevice('c', { tags: { site: 'field' } });
    const { container } = renderWithStudio(<QueryConsole />, api);
    await act(() => setEditorText(container, 'query-editor', 'SELECT tags.site AS site, COUNT() AS n FROM devices GROUP BY tags.site'));
    await waitFor(() => expect(runButton().disabled).toBe(false));
    fireEvent.click(runButton());
    const table = await screen.findByTestId('query-table');
    expect([...table.querySelectorAll('th')].map((th) => th.textContent).sort()).toEqual(['n', 'site']);
    expect(table.querySelectorAll('tbody tr')).toHaveLength(2);
    fireEvent.click(screen.getByRole('tab', { name: 'JSON' }));
    expect(screen.getByLabelText('Results JSON').textContent).toContain('"site": "field"');
    expect(screen.getByRole('button', { name: /SELECT tags.site AS site/ })).toBeTruthy();
  });

  it('pages with the continuation token', async () => {
    const api = (await import('../../api/fake-client.js')).createFakeApi();
    for (let i = 0; i < 25; i++) api.addDevice(`d${i}`);
    renderWithStudio(<QueryConsole />, api);
    fireEvent.change(screen.getByLabelText('Page size'), { target: { value: '10' } });
    fireEvent.click(runButton());
    await waitFor(() => expect(screen.getByTestId('query-page').textContent).toBe('page 1 · 10 items · Twin'));
    fireEvent.click(screen.getByRole('button', { name: 'Next ▶' }));
    await waitFor(() => expect(screen.getByTestId('query-page').textContent).toBe('page 2 · 10 items · Twin'));
    fireEvent.click(screen.getByRole('button', { name: 'Next ▶' }));
    await waitFor(() => expect(screen.getByTestId('query-page').textContent).toBe('page 3 · 5 items · Twin'));
    expect((screen.getByRole('button', { name: 'Next ▶' }) as HTMLButtonElement).disabled).toBe(true);
    const runs = api.calls.filter((call) => call.channel === 'query.run');
    expect(runs[1]?.req).toMatchObject({ pageSize: 10, continuation: expect.any(String) });
  });

  it('words the position once: line and column, never "col 66 … position 65"', async () => {
    const { container } = renderWithStudio(<QueryConsole />);
    await act(() => setEditorText(container, 'query-editor', "SELECT * FROM devices\nWHERE tags.site = 'lab' AND properties.reported. = 1"));
    const problems = await screen.findByTestId('query-problems');
    expect(problems.textContent).toBe("line 2, col 50: Syntax error: expected name but found '='");
  });

  it('shows the columns in SELECT order, and SELECT * with the twin\'s id, tags and properties first', async () => {
    const api = (await import('../../api/fake-client.js')).createFakeApi();
    api.addDevice('a', { tags: { site: 'lab' } });
    api.addDevice('b', { tags: { site: 'lab' }, reported: { temp: 21 } });
    const { container } = renderWithStudio(<QueryConsole />, api);
    // Device a has no temp: a table built from the rows' keys alone would put temp after status.
    await act(() => setEditorText(container, 'query-editor', 'SELECT properties.reported.temp, status, deviceId AS id FROM devices'));
    await waitFor(() => expect(runButton().disabled).toBe(false));
    fireEvent.click(runButton());
    const headers = async () => [...(await screen.findByTestId('query-table')).querySelectorAll('th')].map((th) => th.textContent);
    await waitFor(async () => expect(await headers()).toEqual(['temp', 'status', 'id']));
    await act(() => setEditorText(container, 'query-editor', 'SELECT * FROM devices'));
    fireEvent.click(runButton());
    await waitFor(async () => expect((await headers()).slice(0, 3)).toEqual(['deviceId', 'tags', 'properties']));
    const all = await headers();
    expect(all.indexOf('etag')).toBeGreaterThan(all.indexOf('status'));
  });
});
