// @vitest-environment jsdom
import { act, cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { createFakeApi, type FakeApi } from '../../api/fake-client.js';
import { getEditorText, renderWithStudio, setEditorText } from '../../test-utils/render.js';
import { forgetDrafts } from './draft-store.js';
import { forgetSeen } from './last-seen.js';
import { TwinPanel } from './TwinPanel.js';

let api: FakeApi;

beforeEach(() => {
  forgetSeen();
  forgetDrafts();
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

  it('shows the 412 conflict when someone else changed desired, and merges my edits onto the latest', async () => {
    api.addDevice('dev-2', { desired: { interval: 10, mode: 'eco' } });
    const { container } = renderWithStudio(<TwinPanel deviceId="dev-2" />, api);
    await screen.findByTestId('reported-json');
    await act(() => setEditorText(container, 'desired-editor', '{ "interval": 60, "mode": "eco" }'));
    await act(async () => void (await api.twin.update({ deviceId: 'dev-2', patch: { desired: { mode: 'boost' } }, etag: '*' })));
    await screen.findByText(/The hub has a newer version of this twin/);
    fireEvent.click(saveButton());
    const conflict = await screen.findByTestId('twin-conflict');
    expect(conflict.textContent).toContain('PreconditionFailed (412)');
    fireEvent.click(screen.getByRole('button', { name: 'Merge my changes onto the latest' }));
    await waitFor(() => expect(screen.getByTestId('twin-editor').dataset.baseEtag).toBe('etag-2'));
    // The draft (text and base etag) changes in one state update; CodeMirror shows the new text after its own sync.
    await waitFor(() => expect(JSON.parse(getEditorText(container, 'desired-editor'))).toEqual({ interval: 60, mode: 'boost' }));
    fireEvent.click(saveButton());
    await waitFor(() => expect(screen.queryByTestId('twin-conflict')).toBeNull());
    const updates = api.calls.filter((call) => call.channel === 'twin.update');
    expect(updates.at(-1)?.req).toMatchObject({ patch: { desired: { interval: 60 } }, etag: 'etag-2' });
  });

  it('saves desired while the device keeps reporting: a 412 caused by reported changes is retried with the fresh etag', async () => {
    const { container } = renderWithStudio(<TwinPanel deviceId="dev-1" />, api);
    await screen.findByTestId('reported-json');
    await act(() => setEditorText(container, 'desired-editor', '{ "interval": 60 }'));
    // The device reports right before each of the first two writes lands: the etag the studio sends is always one behind.
    const update = api.original('twin.update');
    let raced = 0;
    api.override('twin.update', (req) => {
      if (raced < 2) {
        raced += 1;
        api.report('dev-1', { battery: 80 - raced });
      }
      return update(req);
    });
    fireEvent.click(saveButton());
    await waitFor(() => expect(screen.getByTestId('twin-version').textContent).toBe('4'));
    expect(screen.queryByTestId('twin-conflict')).toBeNull();
    const updates = api.calls.filter((call) => call.channel === 'twin.update').map((call) => (call.req as { etag: string }).etag);
    expect(updates).toEqual(['etag-1', 'etag-2', 'etag-3']);
    expect(screen.queryByTestId('unsaved')).toBeNull();
  });

  it('shows the keys changed on both sides next to each other after a merge, and takes the hub\'s value on request', async () => {
    api.addDevice('dev-3', { desired: { interval: 10, mode: 'eco', fan: 1 } });
    const { container } = renderWithStudio(<TwinPanel deviceId="dev-3" />, api);
    await screen.findByTestId('reported-json');
    await act(() => setEditorText(container, 'desired-editor', '{ "interval": 60, "mode": "eco", "fan": 2 }'));
    await act(async () => void (await api.twin.update({ deviceId: 'dev-3', patch: { desired: { interval: 45, mode: 'boost' } }, etag: '*' })));
    fireEvent.click(saveButton());
    await screen.findByTestId('twin-conflict');
    fireEvent.click(screen.getByRole('button', { name: 'Merge my changes onto the latest' }));
    const table = await screen.findByTestId('merge-conflicts');
    const rows = [...table.querySelectorAll('tbody tr')].map((row) => [...row.querySelectorAll('td')].slice(0, 3).map((cell) => cell.textContent));
    expect(rows).toEqual([['desired.interval', '60', '45']]);
    fireEvent.click(screen.getByRole('button', { name: "Take the hub's value of desired.interval" }));
    await waitFor(() => expect(JSON.parse(getEditorText(container, 'desired-editor'))).toEqual({ interval: 45, mode: 'boost', fan: 2 }));
    expect(screen.queryByTestId('merge-conflicts')).toBeNull();
  });

  it('reload after a conflict drops my edits and shows the hub version', async () => {
    const { container } = renderWithStudio(<TwinPanel deviceId="dev-1" />, api);
    await screen.findByTestId('reported-json');
    await act(() => setEditorText(container, 'desired-editor', '{ "interval": 99 }'));
    await act(async () => void (await api.twin.update({ deviceId: 'dev-1', patch: { desired: { interval: 11 } }, etag: '*' })));
    await screen.findByText(/The hub has a newer version/);
    fireEvent.click(saveButton());
    await screen.findByTestId('twin-conflict');
    fireEvent.click(screen.getByRole('button', { name: 'Reload (discard my changes)' }));
    await waitFor(() => expect(screen.getByTestId('twin-editor').dataset.baseEtag).toBe('etag-2'));
    expect(saveButton().disabled).toBe(true);
  });

  it('keeps an unsaved draft per device and section when the editor is left, and restores it on return', async () => {
    const first = renderWithStudio(<TwinPanel deviceId="dev-1" />, api);
    await screen.findByTestId('reported-json');
    await act(() => setEditorText(first.container, 'desired-editor', '{ "interval": 42 }'));
    await screen.findByTestId('unsaved');
    first.unmount();
    const again = renderWithStudio(<TwinPanel deviceId="dev-1" />, api);
    await screen.findByTestId('reported-json');
    await waitFor(() => expect(JSON.parse(getEditorText(again.container, 'desired-editor'))).toEqual({ interval: 42 }));
    expect(JSON.parse(getEditorText(again.container, 'tags-editor'))).toEqual({ site: 'lab' });
    expect(screen.getByTestId('unsaved')).toBeTruthy();
    expect(saveButton().disabled).toBe(false);
    // A page unload (reload, window close) is asked to confirm while a draft is kept.
    const unload = new Event('beforeunload', { cancelable: true });
    window.dispatchEvent(unload);
    expect(unload.defaultPrevented).toBe(true);
  });

  it('asks before discarding a draft', async () => {
    const { container } = renderWithStudio(<TwinPanel deviceId="dev-1" />, api);
    await screen.findByTestId('reported-json');
    await act(() => setEditorText(container, 'desired-editor', '{ "interval": 42 }'));
    fireEvent.click(await screen.findByRole('button', { name: 'Discard changes' }));
    const dialog = await screen.findByRole('dialog', { name: 'Discard your changes?' });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    expect(JSON.parse(getEditorText(container, 'desired-editor'))).toEqual({ interval: 42 });
    fireEvent.click(screen.getByRole('button', { name: 'Discard changes' }));
    fireEvent.click(within(await screen.findByRole('dialog')).getByRole('button', { name: 'Discard changes' }));
    await waitFor(() => expect(JSON.parse(getEditorText(container, 'desired-editor'))).toEqual({ interval: 10 }));
    const unload = new Event('beforeunload', { cancelable: true });
    window.dispatchEvent(unload);
    expect(unload.defaultPrevented).toBe(false);
  });

  it('shows the twin etag and version once', async () => {
    renderWithStudio(<TwinPanel deviceId="dev-1" />, api);
    await screen.findByTestId('reported-json');
    expect(screen.getAllByText('etag-1')).toHaveLength(1);
    expect(document.body.textContent?.match(/twin version/g)).toHaveLength(1);
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

  it('shows the full twin with the model id and each value\'s $metadata beside it', async () => {
    renderWithStudio(<TwinPanel deviceId="dev-1" />, api);
    await screen.findByTestId('reported-json');
    expect(screen.getByTestId('model-id').textContent).toBe('none');
    fireEvent.click(screen.getByLabelText(/show the full twin/));
    const tree = screen.getByTestId('full-twin');
    const interval = [...tree.querySelectorAll('li')].find((item) => item.textContent?.startsWith('"interval": 10'));
    expect(interval?.textContent).toBe('"interval": 10updated 2026-01-01T00:00:00Z · desired v1');
    expect(tree.textContent).not.toContain('$metadata');
    expect(tree.textContent).toContain('"etag": "etag-1"');
  });
});

