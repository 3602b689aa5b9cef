import type { HubEmulator } from '../../../emulator/index.js';
import type { StepperStateDto } from '../../contract/teaching-dto.js';
import type { NamespaceHandlers } from '../handler-types.js';

/** `snapshots.*`: save and restore the whole hub (devices, twins, versions, etags, change logs) by name. */
export const snapshotHandlers: NamespaceHandlers<'snapshots'> = {
  'snapshots.list': async (_req, { host }) => host.requireRunning().snapshots.list(),
  'snapshots.save': async ({ name }, { host }) => host.requireRunning().snapshots.save(name),
  'snapshots.restore': async ({ name }, { host }) => host.requireRunning().snapshots.restore(name),
  'snapshots.remove': async ({ name }, { host }) => ({ removed: await host.requireRunning().snapshots.remove(name) }),
};

/** `stepper.*`: step-through mode, held at the hub's device port. */
export const stepperHandlers: NamespaceHandlers<'stepper'> = {
  'stepper.state': async (_req, { host }) => stepperState(host.requireRunning()),
  'stepper.configure': async ({ enabled, deviceIds }, { host }) => {
    const hub = host.requireRunning();
    hub.stepGate.configure({ enabled, deviceIds });
    return stepperState(hub);
  },
  'stepper.release': async ({ id, deviceId }, { host }) => {
    const hub = host.requireRunning();
    hub.stepGate.release({ ...(id === undefined ? {} : { id }), ...(deviceId === undefined ? {} : { deviceId }) });
    return stepperState(hub);
  },
  'stepper.releaseAll': async (_req, { host }) => {
    const hub = host.requireRunning();
    hub.stepGate.releaseAll();
    return stepperState(hub);
  },
};

function stepperState(hub: HubEmulator): StepperStateDto {
  const { settings, held } = hub.stepGate.state;
  return { enabled: settings.enabled, deviceIds: settings.deviceIds, held: [...held] };
}
