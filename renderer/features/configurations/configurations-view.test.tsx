// @vitest-environment jsdom
import { cleanup, fireEvent, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';

import { createFakeApi } from '../../api/fake-client.js';
import { renderWithStudio } from '../../test-utils/render.js';
import { ConfigurationsView } from './ConfigurationsView.js';

afterEach(cleanup);

describe('the configurations view', () => {
  it('previews how many devices a condition targets, creates a configuration and lists it by priority', async () => {
    const api = createFakeApi();
    api.addDevice('a', { tags: { site: 'a' } });
    api.addDevice('b', { tags: { site: 'a' } });
    api.addDevice('c', { tags: { site: 'b' } });
    renderWithStudio(<ConfigurationsView />, api);
    await api.configurations.put({ id: 'low', configuration: { priority: 1, targetCondition: '*', content: { deviceContent: {} } } });
    fireEvent.change(screen.getByLabelText('Target condition'), { target: { value: "tags.site = 'a'" } });
    await waitFor(() => expect(screen.getByTestId('target-preview').textContent).toBe('Targets 2 device(s) now.'));
    fireEvent.change(screen.getByLabelText('Id (lower case)'), { target: { value: 'fw-2' } });
    fireEvent.click(screen.getByRole('button', { name: 'Create configuration' }));
    await waitFor(() => expect(screen.getByTestId('configurations-table').querySelectorAll('tbody tr')).toHaveLength(2));
    const ids = [...screen.getByTestId('configurations-table').querySelectorAll('tbody tr td:first-child')].map((cell) => cell.textContent);
    expect(ids).toEqual(['fw-2', 'low']);
    expect(api.calls.find((call) => call.channel === 'configurations.put' && (call.req as { id: string }).id === 'fw-2')?.req).toMatchObject({
      configuration: { priority: 10, targetCondition: "tags.site = 'a'", content: { deviceContent: { 'properties.desired.firmware': { version: '2.0' } } } },
    });
  });

  it('says when a condition does not run', async () => {
    renderWithStudio(<ConfigurationsView />);
    fireEvent.change(screen.getByLabelText('Target condition'), { target: { value: 'tags.site =' } });
    await waitFor(() => expect(screen.getByTestId('target-preview').textContent).toMatch(/^The condition does not run: /));
  });
});
