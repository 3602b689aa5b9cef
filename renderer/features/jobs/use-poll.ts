import { useCallback, useEffect, useState } from 'react';

import type { Envelope, IpcError } from '../../../main/contract/index.js';

/** Calls `load` now and every `intervalMs` while mounted; `refresh` calls it at once. */
export function usePoll<T>(load: () => Promise<Envelope<T>>, intervalMs: number): { data?: T; error?: IpcError; refresh: () => void } {
  const [state, setState] = useState<{ data?: T; error?: IpcError }>({});
  const refresh = useCallback(() => {
    void load().then((response) => setState((previous) => (response.ok ? { data: response.value } : { ...previous, error: response.error })));
  }, [load]);
  useEffect(() => {
    refresh();
    const timer = setInterval(refresh, intervalMs);
    return () => clearInterval(timer);
  }, [refresh, intervalMs]);
  return { ...state, refresh };
}
