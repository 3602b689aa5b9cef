// @vitest-environment jsdom
import { cleanup, fireEvent, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';

import { renderWithStudio } from '../../test-utils/render.js';
import { TeachView, WHAT_AM_I_LOOKING_AT } from './TeachView.js';

afterEach(() => {
  cleanup();
  window.sessionStorage.clear();
  document.documentElement.classList.remove('presenting');
});

describe('Teach view', () => {
  it('explains each panel in one line and reopens on the panel last used', () => {
    renderWithStudio(<TeachView />);
    expect(screen.getByTestId('what-am-i-looking-at').textContent).toBe(WHAT_AM_I_LOOKING_AT.lessons);
    for (const [label, key] of [['Timeline', 'timeline'], ['Sequence', 'sequence'], ['Step-through', 'step'], ['Snapshots', 'snapshots']] as const) {
      fireEvent.click(screen.getByRole('tab', { name: label }));
      expect(screen.getByTestId('what-am-i-looking-at').textContent).toBe(WHAT_AM_I_LOOKING_AT[key]);
    }
    cleanup();
    renderWithStudio(<TeachView />);
    expect(screen.getByRole('tab', { name: 'Snapshots' }).getAttribute('aria-selected')).toBe('true');
  });

  it('lists the four shipped lessons and turns presentation mode on and off', () => {
    renderWithStudio(<TeachView />);
    expect(screen.getAllByRole('button', { name: /^Start: / })).toHaveLength(4);
    fireEvent.click(screen.getByLabelText('Presentation mode'));
    expect(document.documentElement.classList.contains('presenting')).toBe(true);
    fireEvent.click(screen.getByLabelText('Presentation mode'));
    expect(document.documentElement.classList.contains('presenting')).toBe(false);
  });
});
