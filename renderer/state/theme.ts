import { useEffect, useState } from 'react';

/** The user's theme choice. */
export type ThemeChoice = 'system' | 'light' | 'dark';

const KEY = 'twin-studio.theme';

function readChoice(): ThemeChoice {
  const stored = window.localStorage.getItem(KEY);
  return stored === 'light' || stored === 'dark' ? stored : 'system';
}

/** Applies and remembers the theme (`data-theme` on <html>; `system` follows prefers-color-scheme). */
export function useTheme(): [ThemeChoice, (choice: ThemeChoice) => void] {
  const [choice, setChoice] = useState<ThemeChoice>(readChoice);
  useEffect(() => {
    const media = window.matchMedia?.('(prefers-color-scheme: dark)');
    const apply = () => {
      const dark = choice === 'dark' || (choice === 'system' && media?.matches === true);
      document.documentElement.dataset.theme = dark ? 'dark' : 'light';
    };
    apply();
    window.localStorage.setItem(KEY, choice);
    media?.addEventListener?.('change', apply);
    return () => media?.removeEventListener?.('change', apply);
  }, [choice]);
  return [choice, setChoice];
}
