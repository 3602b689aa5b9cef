// @vitest-environment jsdom
import { act, cleanup, fireEvent, screen, waitFor } from '@testing-library/react';
import axe from 'axe-core';
import { afterEach, describe, expect, it } from 'vitest';

import { createFakeApi } from '../../api/fake-client.js';
import { App } from '../../app.js';
import { renderWithStudio } from '../../test-utils/render.js';
import { TeachView } from '../teach/TeachView.js';
import { DEVICE_TAB_HELP, TEACH_HELP, VIEW_HELP } from './view-help-texts.js';

afterEach(() => {
  cleanup();
  window.localStorage.clear();
  window.sessionStorage.clear();
});

const NAV: readonly [string, keyof typeof VIEW_HELP | 'teach'][] = [
  ['Devices', 'devices'],
  ['Traffic', 'traffic'],
  ['Event Hub', 'endpoint'],
  ['Query', 'query'],
  ['Jobs', 'jobs'],
  ['Configurations', 'configurations'],
  ['Provisioning', 'provisioning'],
  ['Settings', 'settings'],
  ['Teach', 'teach'],
  ['Faults', 'faults'],
];

/** Serious or critical axe-core violations, the bar of test/e2e/studio-work.e2e.ts. */
async function axeViolations(root: Element): Promise<string[]> {
  // jsdom does not lay out or paint: colour contrast is checked in the browser (test/e2e), not here.
  const result = await axe.run(root, { rules: { 'color-contrast': { enabled: false } } });
  return result.violations.filter((violation) => violation.impact === 'serious' || violation.impact === 'critical').map((violation) => `${violation.id}: ${violation.nodes.map((node) => node.target.join(' ')).join(', ')}`);
}

describe('"What am I looking at?"', () => {
  it('heads every view of the studio with its own explanation, and each view stays free of serious axe violations', async () => {
    const { container } = renderWithStudio(<App />, createFakeApi());
    const nav = screen.getByRole('navigation', { name: 'Views' });
    expect(nav.querySelectorAll('button')).toHaveLength(NAV.length);
    for (const [label, topic] of NAV) {
      act(() => void fireEvent.click(screen.getByRole('button', { name: label })));
      const expected = topic === 'teach' ? TEACH_HELP.lessons : VIEW_HELP[topic];
      await waitFor(() => expect(screen.getAllByTestId('what-am-i-looking-at').map((line) => line.textContent)).toContain(expected));
      expect(screen.getAllByText('What am I looking at?').length).toBeGreaterThanOrEqual(1);
      expect(await axeViolations(container), label).toEqual([]);
    }
  }, 120_000);

  it('heads every device tab and every teaching panel', async () => {
    const api = createFakeApi();
    await api.devices.create({ deviceId: 'help-1' });
    renderWithStudio(<App />, api);
    fireEvent.click(await screen.findByText('help-1'));
    for (const [label, topic] of [['Twin', 'twin'], ['Modules', 'modules'], ['Connect', 'connect'], ['Methods & C2D', 'methods'], ['Plug and Play', 'pnp'], ['Traffic', 'traffic'], ['Telemetry', 'telemetry']] as const) {
      fireEvent.click(await screen.findByRole('tab', { name: label }));
      await waitFor(() => expect(screen.getAllByTestId('what-am-i-looking-at').map((line) => line.textContent)).toContain(DEVICE_TAB_HELP[topic]));
    }
    cleanup();
    const { container } = renderWithStudio(<TeachView />);
    for (const [label, topic] of [['Lessons', 'lessons'], ['Timeline', 'timeline'], ['Sequence', 'sequence'], ['Step-through', 'step'], ['Snapshots', 'snapshots']] as const) {
      fireEvent.click(screen.getByRole('tab', { name: label }));
      expect(screen.getByTestId('what-am-i-looking-at').textContent).toBe(TEACH_HELP[topic]);
    }
    expect(await axeViolations(container)).toEqual([]);
  });

  it('collapses everywhere at once and remembers it', () => {
    renderWithStudio(<App />, createFakeApi());
    const details = () => screen.getByText('What am I looking at?').closest('details') as HTMLDetailsElement;
    expect(details().open).toBe(true);
    details().open = false;
    fireEvent(details(), new Event('toggle'));
    expect(window.localStorage.getItem('twin-studio.help-open')).toBe('false');
    cleanup();
    renderWithStudio(<App />, createFakeApi());
    expect(details().open).toBe(false);
    fireEvent.click(screen.getByRole('button', { name: 'Traffic' }));
    expect(details().open).toBe(false);
  });
});
