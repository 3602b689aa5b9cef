import { useEffect, useRef } from 'react';

import type { PushChannel, Pushes } from '../../main/contract/index.js';
import { useApi } from '../api/api-context.js';

/** Subscribes to a push channel for the component's lifetime (the latest `listener` is always called). */
export function usePush<P extends PushChannel>(channel: P, listener: (payload: Pushes[P]) => void): void {
  const api = useApi();
  const latest = useRef(listener);
  latest.current = listener;
  useEffect(() => api.on(channel, (payload) => latest.current(payload)), [api, channel]);
}
