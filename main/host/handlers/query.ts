import type { QueryPageDto } from '../../contract/dto.js';
import type { NamespaceHandlers } from '../handler-types.js';

/** `query.*`: the IoT Hub query language over the hub's twins, the engine of `POST /devices/query` (§9). */
export const queryHandlers: NamespaceHandlers<'query'> = {
  'query.run': async ({ query, pageSize, continuation }, { host }) => {
    const options = { ...(pageSize !== undefined ? { pageSize } : {}), ...(continuation !== undefined ? { continuation } : {}) };
    const page = host.requireRunning().query(query, options);
    const result: QueryPageDto = { items: page.items, itemType: page.itemType };
    return page.continuation !== undefined ? { ...result, continuation: page.continuation } : result;
  },
};
