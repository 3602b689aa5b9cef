import type { HandlerTable } from '../handler-types.js';
import { c2dHandlers } from './c2d.js';
import { deviceHandlers } from './devices.js';
import { emulatorHandlers } from './emulator.js';
import { faultHandlers } from './faults.js';
import { configurationHandlers, digitalTwinHandlers, jobHandlers } from './fleet.js';
import { methodHandlers } from './methods.js';
import { moduleHandlers } from './modules.js';
import { provisioningHandlers } from './provisioning.js';
import { queryHandlers } from './query.js';
import { settingsHandlers } from './settings.js';
import { simulationHandlers } from './simulations.js';
import { trafficHandlers } from './traffic.js';
import { snapshotHandlers, stepperHandlers } from './teaching.js';
import { twinHandlers } from './twins.js';

/** Every invoke channel's handler; the type makes a missing or extra channel a compile error. */
export const handlers: HandlerTable = {
  ...emulatorHandlers,
  ...settingsHandlers,
  ...deviceHandlers,
  ...moduleHandlers,
  ...twinHandlers,
  ...queryHandlers,
  ...methodHandlers,
  ...c2dHandlers,
  ...trafficHandlers,
  ...simulationHandlers,
  ...provisioningHandlers,
  ...jobHandlers,
  ...configurationHandlers,
  ...digitalTwinHandlers,
  ...snapshotHandlers,
  ...stepperHandlers,
  ...faultHandlers,
};
