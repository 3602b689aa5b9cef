import { useCallback, useEffect, useState } from 'react';

import type { DeviceDetails } from '../../../main/contract/index.js';
import { useApi } from '../../api/api-context.js';
import type { AsyncState } from '../../api/async-state.js';
import { usePush } from '../../hooks/use-push.js';

/** One device's details, reloaded when the hub reports a change to it. */
export function useDeviceDetails(deviceId: string): [AsyncState<DeviceDetails>, () => Promise<void>] {
  const api = useApi();
  const [state, setState] = useState<AsyncState<DeviceDetails>>({ status: 'loading' });
  const load = useCallback(async () => {
    const result = await api.devices.get({ deviceId });
    setState(result.ok ? { status: 'ready', data: result.value } : { status: 'error', error: result.error });
  }, [api, deviceId]);
  useEffect(() => {
    setState({ status: 'loading' });
    void load();
  }, [load]);
  usePush('devices.changed', (change) => {
    if (change.deviceId !== deviceId || change.reason === 'twin') return;
    if (change.device) setState((current) => (current.status === 'ready' ? { status: 'ready', data: { ...current.data, ...change.device } } : current));
    else void load();
  });
  return [state, load];
}
