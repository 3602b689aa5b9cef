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
const REFRESH_MS = 1000;
/** Beyond this many changed twins (a bulk import, a job), one paged query of every twin is cheaper. */
const RELOAD_ALL_OVER = 300;

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
    const ids = [...dirty.current];
    dirty.current.clear();
    const fresh = new Map<string, TwinFacts>();
    let complete = false;
    if (ids.length > RELOAD_ALL_OVER) {
      const items = await queryAll(api, 'SELECT * FROM devices');
      if (Array.isArray(items)) {
        for (const item of items) if (typeof item.deviceId === 'string') fresh.set(item.deviceId, twinFacts(item));
        complete = true;
      }
    } else {
      for (let start = 0; start < ids.length; start += 100) {
        const chunk = ids.slice(start, start + 100);
        const items = await queryAll(api, `SELECT * FROM devices WHERE deviceId IN [${chunk.map(quoteString).join(', ')}]`);
        if (Array.isArray(items)) for (const item of items) if (typeof item.deviceId === 'string') fresh.set(item.deviceId, twinFacts(item));
      }
    }
    // One update for the whole batch: every update re-sorts the grid.
    setTwins((current) => {
      if (complete) return fresh;
      const next = new Map(current);
      for (const id of ids) next.delete(id);
      for (const [id, facts] of fresh) next.set(id, facts);
      return next;
    });
    timer.current = undefined;
    // Changes that arrived while this batch ran wait for the next one.
    if (dirty.current.size > 0) timer.current = setTimeout(() => void refresh(), REFRESH_MS);
  };
  const changed = (deviceId: string) => {
    dirty.current.add(deviceId);
    timer.current ??= setTimeout(() => void refresh(), REFRESH_MS);
  };
  usePush('twin.changed', ({ deviceId, moduleId }) => {
    if (moduleId === undefined) changed(deviceId);
  });
  usePush('devices.changed', ({ deviceId, reason }) => {
    if (reason === 'created' || reason === 'deleted') changed(deviceId);
  });
  return twins;
}
