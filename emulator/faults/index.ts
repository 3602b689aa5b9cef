// The fault engine's public surface (re-exported by emulator/index.ts).
export { FaultsApi } from './faults-api.js';
export type { ActiveFault, InjectedFault, ScenarioRun } from './fault-engine.js';
export { FAULT_NAMES, FaultSpecError, parseFaultSpec, type FaultName, type FaultSpec } from './fault-spec.js';
export { parseScenario, type FaultScenario, type ScenarioStep } from './scenario.js';
export { FAULT_PROPERTY, SDK_DISCONNECT_FAULTS, SDK_ERROR_FAULTS, SDK_FAULT_TYPES, type SdkFaultType } from './sdk-faults.js';
