import { useCallback, useEffect, useState } from 'react';

import type { IpcError, ModuleSummary } from '../../../main/contract/index.js';
import { useApi } from '../../api/api-context.js';
import { usePush } from '../../hooks/use-push.js';

/** A device's module identities, reloaded when the hub reports a module created, deleted, (dis)connected or its twin written. */
export function useModules(deviceId: string): { modules: readonly ModuleSummary[] | undefined; error: IpcError | undefined; reload: () => Promise<void> } {
  const api = useApi();
  const [modules, setModules] = useState<readonly ModuleSummary[]>();
  const [error, setError] = useState<IpcError>();

  const reload = useCallback(async () => {
    const result = await api.modules.list({ deviceId });
    if (result.ok) {
      setModules(result.value);
      setError(undefined);
    } else setError(result.error);
  }, [api, deviceId]);

  useEffect(() => {
    setModules(undefined);
    void reload();
  }, [reload]);
  usePush('modules.changed', (change) => {
    if (change.deviceId === deviceId) void reload();
  });
  usePush('twin.changed', (change) => {
    if (change.deviceId === deviceId && change.moduleId !== undefined) void reload();
  });
  return { modules, error, reload };
}
