import type { TwinAddress } from '../model/twin-address.js';
import type { RuntimeState } from '../twin/twin-views.js';
import type { ModuleService } from './module-service.js';
import type { RegistryService } from './registry-service.js';

/** Live facts of a device or module identity, in the shape twin views need (modules have no C2D queue). */
export function twinRuntime(registry: RegistryService, modules: ModuleService): (address: TwinAddress) => RuntimeState {
  return (address) => {
    if (address.moduleId === undefined) return registry.runtime(address.deviceId);
    const facts = modules.runtime(address.deviceId, address.moduleId);
    return { connectionState: facts.connectionState, lastActivityTime: facts.lastActivityTime, cloudToDeviceMessageCount: 0 };
  };
}
