import { deviceIdOf } from '../request-input.js';
import type { RestOperation } from '../rest-types.js';

/** `GET /twins/{deviceId}` → the service-side twin (iothub-protocol.md §7.1, checklist 50-51). */
export const getTwin: RestOperation = (request, { twins }) => ({ status: 200, body: twins.getServiceTwin({ deviceId: deviceIdOf(request) }) });
