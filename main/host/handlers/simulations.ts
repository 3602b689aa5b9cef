import type { SimulationManager } from '../../../emulator/index.js';
import { toSimulationDto } from '../dto-mappers.js';
import type { HandlerContext, NamespaceHandlers } from '../handler-types.js';
import { StudioError } from '../studio-error.js';

function manager({ host }: HandlerContext): SimulationManager {
  host.requireRunning();
  const simulations = host.simulations;
  if (!simulations) throw new StudioError('NotSupported', 'Simulated devices are not available (the simulator could not start; see the log).');
  return simulations;
}

/** A manager call whose plain Error (no such simulation, a profile that cannot run) is the caller's mistake. */
function simulationCall<T>(call: () => T): T {
  try {
    return call();
  } catch (error) {
    if (error instanceof StudioError) throw error;
    throw new StudioError('InvalidPayload', (error as Error).message);
  }
}

/** `simulations.*`: devices the hub runs itself from a profile (emulator/simulation, issue 6). */
export const simulationHandlers: NamespaceHandlers<'simulations'> = {
  'simulations.list': async (_req, context) => manager(context).list().map(toSimulationDto),

  'simulations.profiles': async (_req, context) =>
    (await manager(context).profiles()).map(({ name, description }) => ({ name, description })),

  'simulations.create': async ({ deviceId, profile }, context) => {
    const simulations = manager(context);
    const known = await simulations.profiles();
    // Only built-in profiles, by name: a renderer must not make the host read files of its choosing.
    const match = known.find((candidate) => candidate.name === profile);
    if (!match) {
      throw new StudioError('InvalidPayload', `Unknown profile '${profile}'. Built-in profiles: ${known.map((p) => p.name).join(', ')}.`);
    }
    return toSimulationDto(await simulations.create({ deviceId, profile: match.file }));
  },

  'simulations.setRunState': async ({ deviceId, runState }, context) => {
    const simulations = manager(context);
    const info = runState === 'running' ? await simulations.start(deviceId) : runState === 'paused' ? await simulations.pause(deviceId) : await simulations.stop(deviceId);
    return toSimulationDto(info);
  },

  'simulations.setApplyOnClick': async ({ deviceId, on }, context) => toSimulationDto(simulationCall(() => manager(context).setApplyOnClick(deviceId, on))),

  'simulations.applyDesired': async ({ deviceId }, context) => toSimulationDto(simulationCall(() => manager(context).applyDesired(deviceId))),

  'simulations.remove': async ({ deviceId, deleteDevice }, context) => {
    await manager(context).remove(deviceId, { deleteDevice: deleteDevice ?? false });
    return { deviceId };
  },
};
