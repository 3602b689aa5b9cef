import { FaultSpecError, type FaultSpec, type FaultsApi } from '../../../emulator/index.js';
import type { FaultsStatusDto } from '../../contract/index.js';
import type { NamespaceHandlers } from '../handler-types.js';
import { StudioError } from '../studio-error.js';

/** What the Faults panel shows: the timed faults in force, the hub outage, the SDK properties switch. */
function statusOf(faults: FaultsApi): FaultsStatusDto {
  return {
    active: faults.active().map(({ deviceId, ...fault }) => ({ ...fault, deviceId: deviceId ?? null })),
    hubDown: faults.hubDown,
    sdkProperties: faults.sdkProperties,
  };
}

/** `faults.*`: injected faults through the front door's `emulator.faults` (emulator/faults/README.md). */
export const faultHandlers: NamespaceHandlers<'faults'> = {
  'faults.status': async (_req, { host }) => statusOf(host.requireRunning().faults),
  'faults.inject': async ({ spec }, { host }) => {
    const { faults } = host.requireRunning();
    try {
      // Absent optional fields are left out, so the hub's checks see exactly what the panel set.
      await faults.inject(Object.fromEntries(Object.entries(spec).filter(([, value]) => value !== undefined)) as unknown as FaultSpec);
    } catch (error) {
      if (error instanceof FaultSpecError) throw new StudioError('InvalidPayload', error.message, { path: error.path });
      throw error;
    }
    return statusOf(faults);
  },
  'faults.clear': async ({ deviceId }, { host }) => {
    const { faults } = host.requireRunning();
    faults.clear(deviceId);
    return statusOf(faults);
  },
  'faults.setSdkProperties': async ({ enabled }, { host }) => {
    const { faults } = host.requireRunning();
    faults.sdkProperties = enabled;
    return statusOf(faults);
  },
};
