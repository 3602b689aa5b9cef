import { notSupported } from '../../../errors/catalogue.js';
import type { RestOperation } from '../rest-types.js';

/**
 * Module identities, module twins and module methods (`/devices/{id}/modules…`, `/twins/{id}/modules…`) are not
 * emulated yet: refused with 501 NotSupported instead of being silently accepted (house-style H8).
 */
export const refuseModuleOperation: RestOperation = (request) => {
  throw notSupported(`Module identities (${request.method} ${request.path})`);
};
