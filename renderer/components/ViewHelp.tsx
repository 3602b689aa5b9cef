import { useSyncExternalStore } from 'react';

const OPEN_KEY = 'twin-studio.help-open';
const listeners = new Set<() => void>();

function readOpen(): boolean {
  return window.localStorage.getItem(OPEN_KEY) !== 'false';
}

function setOpen(open: boolean): void {
  if (open === readOpen()) return;
  window.localStorage.setItem(OPEN_KEY, String(open));
  for (const listener of listeners) listener();
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/**
 * "What am I looking at?": a one-paragraph explanation of the view or panel it heads, for someone new to twins.
 * Open by default; closing one closes all of them (remembered), so a trainer who knows the studio is not in the way.
 */
export function ViewHelp({ children }: { children: string }) {
  const open = useSyncExternalStore(subscribe, readOpen);
  return (
    <details className="view-help" open={open} onToggle={(event) => setOpen(event.currentTarget.open)}>
      <summary>What am I looking at?</summary>
      <p className="what-am-i-looking-at" data-testid="what-am-i-looking-at">{children}</p>
    </details>
  );
}
