// @vitest-environment jsdom
import { act, cleanup, fireEvent, screen, waitFor } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { createFakeApi, type FakeApi } from '../../api/fake-client.js';
import { renderWithStudio, setEditorText } from '../../test-utils/render.js';
import { forgetSeen } from './last-seen.js';
import { TwinPanel } from './TwinPanel.js';

let api: FakeApi;

beforeEach(() => {
  forgetSeen();
  api = createFakeApi();
  api.addDevice('dev-1', { tags: { site: 'lab' }, desired: { interval: 10 }, reported: { interval: 5 } });
});
afterEach(cleanup);

function saveButton(): HTMLButtonElement {
  return screen.getByRole('button', { name: 'Save' }) as HTMLButtonElement;
}

describe('the twin editor', () => {
  it('shows tags, desired and reported side by side with versions and the delta', async () => {
    renderWithStudio(<TwinPanel deviceId="dev-1" />, api);
    expect(await screen.findByTestId('reported-json')).toHaveProperty('textContent', JSON.stringify({ interval: 5 }, null, 2));
    expect(screen.getByTestId('twin-version').textContent).toBe('1');
    expect(screen.getByTestId('delta-table').textContent).toContain('interval');
    expect(saveButton().disabled).toBe(true);
  });

  it('checks the hub rules as you type: a key with a dot is listed and Save stays disabled', async () => {
    const { container } = renderWithStudio(<TwinPanel deviceId="dev-1" />, api);
    await screen.findByTestId('reported-json');
    await act(() => setEditorText(container, 'desired-editor', '{ "bad.key": 1, "$version": 3 }'));
    const problems = await screen.findByTestId('twin-problems');
    expect(problems.textContent).toContain("desired.bad.key: Property name 'bad.key' must not contain '.'.");
    expect(problems.textContent).toContain("desired.$version: Property name '$version' must not contain '$'");
    expect(saveButton().disabled).toBe(true);
  });

  it('saves a merge patch with the etag it started from', async () => {
    const { container } = renderWithStudio(<TwinPanel deviceId="dev-1" />, api);
    await screen.findByTestId('reported-json');
    await act(() => setEditorText(container, 'desired-editor', '{ "interval": 30, "mode": "eco" }'));
    await act(() => setEditorText(container, 'tags-editor', '{}'));
    await waitFor(() => expect(saveButton().disabled).toBe(false));
    fireEvent.click(saveButton());
    await waitFor(() => expect(screen.getByTestId('twin-version').textContent).toBe('2'));
    const update = api.calls.find((call) => call.channel === 'twin.update');
    expect(update?.req).toEqual({ deviceId: 'dev-1', patch: { tags: { site: null }, desired: { interval: 30, mode: 'eco' } }, etag: 'etag-1' });
  });

  it('shows the 412 conflict when the twin moved on, and merges my edits onto the latest', async () => {
    const { container } = renderWithStudio(<TwinPanel deviceId="dev-1" />, api);
    await screen.findByTestId('reported-json');
    await act(() => setEditorText(container, 'desired-editor', '{ "interval": 60 }'));
    act(() => api.report('dev-1', { battery: 80 }));
    await screen.findByText(/The hub has a newer version of this twin/);
    fireEvent.click(saveButton());
    const conflict = await screen.findByTestId('twin-conflict');
    expect(conflict.textContent).toContain('PreconditionFailed (412)');
    fireEvent.click(screen.getByRole('button', { name: 'Merge my changes onto the latest' }));
    await waitFor(() => expect(screen.getByTestId('base-etag').textContent).toBe('etag-2'));
    fireEvent.click(saveButton());
    await waitFor(() => expect(screen.queryByTestId('twin-conflict')).toBeNull());
    const updates = api.calls.filter((call) => call.channel === 'twin.update');
    expect(updates.at(-1)?.req).toMatchObject({ patch: { desired: { interval: 60 } }, etag: 'etag-2' });
  });

  it('reload after a conflict drops my edits and shows the hub version', async () => {
    const { container } = renderWithStudio(<TwinPanel deviceId="dev-1" />, api);
    await screen.findByTestId('reported-json');
    await act(() => setEditorText(container, 'desired-editor', '{ "interval": 99 }'));
    act(() => api.report('dev-1', { battery: 80 }));
    await screen.findByText(/The hub has a newer version/);
    fireEvent.click(saveButton());
    await screen.findByTestId('twin-conflict');
    fireEvent.click(screen.getByRole('button', { name: 'Reload (discard my changes)' }));
    await waitFor(() => expect(screen.getByTestId('base-etag').textContent).toBe('etag-2'));
    expect(saveButton().disabled).toBe(true);
  });

  it('lists what changed since the version last seen', async () => {
    renderWithStudio(<TwinPanel deviceId="dev-1" />, api);
    await screen.findByTestId('reported-json');
    act(() => api.report('dev-1', { interval: 10, battery: 80 }));
    const diff = await screen.findByTestId('twin-diff');
    expect(diff.textContent).toContain('reported.interval 5 → 10');
    expect(diff.textContent).toContain('reported.battery added 80');
    fireEvent.click(screen.getByRole('button', { name: 'Mark as seen' }));
    await waitFor(() => expect(screen.queryByTestId('twin-diff')).toBeNull());
  });
});
