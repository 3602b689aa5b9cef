import { useEffect, useRef, useState } from 'react';

import type { JsonObject } from '../../../emulator/model/json.js';
import { quoteString } from '../../../emulator/query/index.js';
import type { TwinStudioApi } from '../../../main/contract/index.js';
import { useApi } from '../../api/api-context.js';
import { usePush } from '../../hooks/use-push.js';
import { useStore } from '../../state/store.js';
import { useStudio } from '../../state/studio-context.js';
import { twinFacts, type TwinFacts } from './grid-model.js';

/** Changed twins are fetched again at most this often, in one query per 100 ids. */
const REFRESH_MS = 500;

/** Every page of a query's results (1,000 items a page). */
export async function queryAll(api: TwinStudioApi, query: string, onPage?: (items: readonly JsonObject[]) => void): Promise<JsonObject[] | { error: string }> {
  const items: JsonObject[] = [];
  let continuation: string | undefined;
  do {
    const result = await api.query.run({ query, pageSize: 1000, ...(continuation ? { continuation } : {}) });
    if (!result.ok) return { error: `${result.error.code}: ${result.error.message}` };
    items.push(...result.value.items);
    onPage?.(result.value.items);
    continuation = result.value.continuation;
  } while (continuation);
  return items;
}

/**
 * The twin facts of every device (tags, model id, pending desired count) for the grid: all twins by query when the
 * hub (re)starts, then the twins the hub reports changed, batched.
 */
export function useGridTwins(): ReadonlyMap<string, TwinFacts> {
  const api = useApi();
  const status = useStore(useStudio().status);
  const [twins, setTwins] = useState<ReadonlyMap<string, TwinFacts>>(new Map());
  const dirty = useRef(new Set<string>());
  const timer = useRef<ReturnType<typeof setTimeout>>(undefined);
  const running = status?.status === 'Running';
  const hubKey = running ? (status.info?.dataDir ?? 'hub') : '';

  useEffect(() => {
    if (!hubKey) return undefined;
    let cancelled = false;
    const loaded = new Map<string, TwinFacts>();
    void queryAll(api, 'SELECT * FROM devices', (items) => {
      if (cancelled) return;
      for (const item of items) if (typeof item.deviceId === 'string') loaded.set(item.deviceId, twinFacts(item));
      setTwins(new Map(loaded));
    });
    return () => {
      cancelled = true;
    };
  }, [api, hubKey]);

  useEffect(() => () => clearTimeout(timer.current), []);

  const refresh = async () => {
    timer.current = undefined;
    const ids = [...dirty.current];
    dirty.current.clear();
    for (let start = 0; start < ids.length; start += 100) {
      const chunk = ids.slice(start, start + 100);
      const items = await queryAll(api, `SELECT * FROM devices WHERE deviceId IN [${chunk.map(quoteString).join(', ')}]`);
      if (!Array.isArray(items)) continue;
      setTwins((current) => {
        const next = new Map(current);
        for (const id of chunk) next.delete(id);
        for (const item of items) if (typeof item.deviceId === 'string') next.set(item.deviceId, twinFacts(item));
        return next;
      });
    }
  };
  const changed = (deviceId: string) => {
    dirty.current.add(deviceId);
    timer.current ??= setTimeout(() => void refresh(), REFRESH_MS);
  };
  usePush('twin.changed', ({ deviceId }) => changed(deviceId));
  usePush('devices.changed', ({ deviceId, reason }) => {
    if (reason === 'created' || reason === 'deleted') changed(deviceId);
  });
  return twins;
}
