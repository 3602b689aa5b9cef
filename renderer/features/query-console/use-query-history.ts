import { useCallback, useState } from 'react';

const KEY = 'twin-studio.query-history';
const MAX = 25;

function read(): string[] {
  try {
    const value: unknown = JSON.parse(window.localStorage.getItem(KEY) ?? '[]');
    return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string').slice(0, MAX) : [];
  } catch {
    return [];
  }
}

/** The last queries run (most recent first, no duplicates), remembered across sessions. */
export function useQueryHistory(): [readonly string[], (query: string) => void] {
  const [history, setHistory] = useState<string[]>(read);
  const remember = useCallback((query: string) => {
    setHistory((current) => {
      const next = [query, ...current.filter((item) => item !== query)].slice(0, MAX);
      window.localStorage.setItem(KEY, JSON.stringify(next));
      return next;
    });
  }, []);
  return [history, remember];
}
