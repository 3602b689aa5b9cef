import { HubEventBus } from '../../emulator/events.js';
import { ConnectionTracker } from '../../emulator/services/connection-tracker.js';
import { DevicePortRelay } from '../../emulator/services/device-port.js';
import { HubData } from '../../emulator/services/hub-data.js';
import { ModuleService } from '../../emulator/services/module-service.js';
import { RegistryService } from '../../emulator/services/registry-service.js';
import { twinRuntime } from '../../emulator/services/twin-runtime.js';
import { TwinService } from '../../emulator/services/twin-service.js';
import { applyChange } from '../../emulator/state/apply-change.js';
import type { EmulatorStore } from '../../emulator/store/store.js';
import { MemoryStore } from '../../emulator/store/memory-store.js';
import { TwinsApi } from '../../emulator/twins-api.js';
import { ManualClock, type Clock } from '../../emulator/util/clock.js';

/** The services of a hub on a store (memory unless given), wired as the composition root wires them. */
export async function serviceHarness(options: { clock?: Clock; store?: EmulatorStore; historyLimit?: number; events?: HubEventBus } = {}) {
  const clock = options.clock ?? new ManualClock();
  const events = options.events ?? new HubEventBus();
  const historyLimit = options.historyLimit ?? 32;
  const store = options.store ?? new MemoryStore((state, change) => applyChange(state, change, { historyLimit }));
  const state = await store.open();
  const data = new HubData(state, store);
  const connections = new ConnectionTracker(clock, events);
  const devices = new DevicePortRelay();
  const registry = new RegistryService(data, connections, clock, events, devices);
  const modules = new ModuleService(data, registry, connections, clock, events, devices);
  const twinService = new TwinService(data, twinRuntime(registry, modules), events, devices);
  const twins = new TwinsApi(twinService, clock);
  return { clock, events, store, state, data, connections, devices, registry, modules, twinService, twins };
}
