import type { HubEmulator, JsonObject } from '../../../emulator/index.js';
import { compileQuery } from '../../../emulator/query/index.js';
import type { QueryPageDto } from '../../contract/dto.js';
import { queryOf } from '../capabilities.js';
import type { NamespaceHandlers } from '../handler-types.js';

/** `query.*`: the IoT Hub query language over the hub's twins (iothub-protocol.md §9). */
export const queryHandlers: NamespaceHandlers<'query'> = {
  'query.run': async ({ query, pageSize, continuation }, { host }) => {
    const hub = host.requireRunning();
    const options = { ...(pageSize !== undefined ? { pageSize } : {}), ...(continuation !== undefined ? { continuation } : {}) };
    const viaHub = queryOf(hub);
    const page = viaHub ? await viaHub(query, options) : compileQuery(query).run(serviceTwins(hub), options);
    const result: QueryPageDto = { items: page.items, itemType: page.itemType };
    return page.continuation !== undefined ? { ...result, continuation: page.continuation } : result;
  },
};

/** Every device twin in the service shape, lazily (the std engine runs over any iterable). */
function* serviceTwins(hub: HubEmulator): Iterable<JsonObject> {
  for (const record of hub.registry.all()) yield hub.twins.getServiceTwin(record.deviceId);
}
