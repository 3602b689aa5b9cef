import type { HubEmulator } from '../../emulator/index.js';

// Simulated devices (issue 6) are being added to the emulator's front door. The studio looks the simulator up by
// shape so the "simulated" option lights up when it lands, and explains itself until then, without deep imports
// into emulator/** (house-style H4).

/** `hub.simulation`: simulated devices. */
export interface SimulationCapability {
  isSimulated?(deviceId: string): boolean;
}

/** The simulator, when the hub's front door has one. */
export function simulationOf(hub: HubEmulator): SimulationCapability | undefined {
  let value: unknown;
  try {
    // Getters throw while the hub is stopped; a stopped hub has nothing to offer.
    value = Reflect.get(hub, 'simulation');
  } catch {
    return undefined;
  }
  return typeof value === 'object' && value !== null ? (value as SimulationCapability) : undefined;
}
