import type { IncomingHttpHeaders } from 'node:http';

import type { ProvisioningPage } from '../../provisioning/provisioning-pages.js';
import type { DpsResponse } from './dps-types.js';

/** The `If-Match` header, if any. */
export function ifMatchOf(headers: IncomingHttpHeaders): string | undefined {
  const value = headers['if-match'];
  return Array.isArray(value) ? value[0] : value;
}

/** `x-ms-max-item-count` and `x-ms-continuation` of a query request. */
export function pageOptions(headers: IncomingHttpHeaders): { pageSize?: number; continuation?: string } {
  const size = Number(single(headers['x-ms-max-item-count']));
  const continuation = single(headers['x-ms-continuation']);
  return { ...(Number.isFinite(size) && size > 0 ? { pageSize: size } : {}), ...(continuation ? { continuation } : {}) };
}

/** A query page: the JSON array, `x-ms-continuation` when more follow, `x-ms-item-type` and `x-ms-max-item-count`. */
export function pageReply<T>(page: ProvisioningPage<T>, itemType: string, render: (record: T) => unknown, headers: IncomingHttpHeaders): DpsResponse {
  const requested = single(headers['x-ms-max-item-count']);
  return {
    status: 200,
    body: page.items.map(render),
    headers: {
      'x-ms-item-type': itemType,
      ...(requested ? { 'x-ms-max-item-count': requested } : {}),
      ...(page.continuation ? { 'x-ms-continuation': page.continuation } : {}),
    },
  };
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
