/** Synthetic twins and paging helpers for the views tests. */
import type { JsonObject } from '../../../../emulator/model/json.js';
import { twinKey } from '../../../../emulator/model/twin-address.js';
import type { QueryPage, RunOptions } from '../../../../emulator/query/index.js';
import { TwinViewIndex } from '../../../../emulator/views/twin-view-index.js';

/** Device twin `i`: numeric and string tags to filter on, a reported section to project. */
export function deviceView(i: number, extra: JsonObject = {}): JsonObject {
  return {
    deviceId: `d${i}`, status: i % 4 === 0 ? 'disabled' : 'enabled',
    tags: { n: i, region: ['US', 'EU', 'ASIA'][i % 3] ?? 'US' },
    properties: { desired: { $version: 1 }, reported: { battery: i % 100, $version: 1 } },
    ...extra,
  };
}

/** Module twin `m<j>` of device `i`. */
export function moduleView(i: number, j: number, extra: JsonObject = {}): JsonObject {
  return { ...deviceView(i), moduleId: `m${j}`, ...extra };
}

/** The twinKey of a view. */
export function keyOf(view: JsonObject): string {
  const moduleId = view['moduleId'];
  return twinKey({ deviceId: String(view['deviceId']), ...(typeof moduleId === 'string' && { moduleId }) });
}

/** An index of `devices` device twins; every `moduleEvery`-th device also gets two module twins. */
export function syntheticIndex(devices: number, moduleEvery = 10): TwinViewIndex {
  const index = new TwinViewIndex();
  for (let i = 0; i < devices; i++) {
    index.upsert(`d${i}`, deviceView(i));
    if (i % moduleEvery === 0) for (const j of [0, 1]) index.upsert(`d${i}/m${j}`, moduleView(i, j));
  }
  return index;
}

/** Anything that serves pages of a query. */
export type PageSource = (options: RunOptions) => QueryPage;

/** Every page until the continuation disappears; `between` runs after each page that has a next one. */
export function allPages(source: PageSource, pageSize?: number, between?: (page: QueryPage, n: number) => void): QueryPage[] {
  const pages: QueryPage[] = [];
  let continuation: string | undefined;
  do {
    const page = source({ ...(pageSize !== undefined && { pageSize }), ...(continuation !== undefined && { continuation }) });
    pages.push(page);
    continuation = page.continuation;
    if (continuation !== undefined) between?.(page, pages.length);
    if (pages.length > 100_000) throw new Error('paging did not terminate');
  } while (continuation !== undefined);
  return pages;
}
