import { useEffect, useState } from 'react';

import type { Envelope } from '../../main/contract/index.js';
import { describeError } from '../api/async-state.js';

/**
 * Calls `read` now and every `intervalMs` while the component is mounted, keeping the last value and the last error
 * (cleared by the next success). `read` must be stable across renders (wrap it in useCallback or pass the api call).
 */
export function usePolled<T>(read: () => Promise<Envelope<T>>, intervalMs: number): { value: T | undefined; error: string | undefined } {
  const [value, setValue] = useState<T>();
  const [error, setError] = useState<string>();
  useEffect(() => {
    let live = true;
    const poll = () =>
      void read().then((result) => {
        if (!live) return;
        if (result.ok) {
          setValue(result.value);
          setError(undefined);
        } else setError(describeError(result.error));
      });
    poll();
    const timer = setInterval(poll, intervalMs);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, [read, intervalMs]);
  return { value, error };
}
