import { useEffect, useState } from 'react';

import type { SimulationDto } from '../../../main/contract/index.js';
import { useApi } from '../../api/api-context.js';
import { usePush } from '../../hooks/use-push.js';

/** The simulation of a device (undefined for real devices), kept current by `simulations.changed`. */
export function useSimulation(deviceId: string, simulated: boolean): [SimulationDto | undefined, (next: SimulationDto) => void] {
  const api = useApi();
  const [simulation, setSimulation] = useState<SimulationDto>();
  useEffect(() => {
    if (!simulated) return setSimulation(undefined);
    void api.simulations.list({}).then((result) => {
      if (result.ok) setSimulation(result.value.find((candidate) => candidate.deviceId === deviceId));
    });
  }, [api, deviceId, simulated]);
  usePush('simulations.changed', (change) => {
    if (change.deviceId === deviceId) setSimulation(change.simulation);
  });
  return [simulation, setSimulation];
}
