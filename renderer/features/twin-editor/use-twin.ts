import { useCallback, useEffect, useState } from 'react';

import type { TwinDocument } from '../../../main/contract/index.js';
import { useApi } from '../../api/api-context.js';
import type { AsyncState } from '../../api/async-state.js';
import { usePush } from '../../hooks/use-push.js';
import { addressFields } from './twin-key.js';

/**
 * A device's service twin, or a module's when `moduleId` is given, reloaded whenever the hub reports a write to it
 * (house-style H18: the hub is the truth).
 */
export function useTwin(deviceId: string, moduleId?: string): {
  state: AsyncState<TwinDocument>;
  reload: () => Promise<TwinDocument | undefined>;
  accept: (twin: TwinDocument) => void;
} {
  const api = useApi();
  const [state, setState] = useState<AsyncState<TwinDocument>>({ status: 'loading' });

  const reload = useCallback(async () => {
    const result = await api.twin.get(addressFields({ deviceId, moduleId }));
    if (result.ok) {
      // Pushes and replies can cross; never go back to an older version.
      setState((current) => (current.status === 'ready' && current.data.version > result.value.version ? current : { status: 'ready', data: result.value }));
      return result.value;
    }
    setState((current) => ({ status: 'error', error: result.error, ...('data' in current && current.data ? { data: current.data } : {}) }));
    return undefined;
  }, [api, deviceId, moduleId]);

  useEffect(() => {
    setState({ status: 'loading' });
    void reload();
  }, [reload]);

  usePush('twin.changed', (change) => {
    if (change.deviceId === deviceId && change.moduleId === moduleId) void reload();
  });

  const accept = useCallback((twin: TwinDocument) => {
    setState((current) => (current.status === 'ready' && current.data.version > twin.version ? current : { status: 'ready', data: twin }));
  }, []);

  return { state, reload, accept };
}
