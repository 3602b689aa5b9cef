// Simulated devices (issue 6), as seen through the emulator's front door. See assets/profiles/README.md for the
// profile format and emulator/simulation/README.md for how the pieces fit.
export { createSimulationManager, SimulationManager } from './simulation-manager.js';
export type { CreateSimulationInput, SimulationEvent, SimulationManagerOptions } from './simulation-manager.js';
export type { SimulationInfo } from './simulation-runtime.js';
export type { HeldDesired } from './held-desired.js';
export type { SimulationCounters, SimulationState, SimulationStatus } from './simulated-device.js';
export type { RunState } from './simulation-store.js';
export type { Profile } from './profile-schema.js';
export { checkProfile, formatIssue, parseProfile, ProfileError } from './parse-profile.js';
export type { SpecIssue } from './value-schema.js';
export { listBuiltinProfiles, type ProfileSummary } from './builtin-profiles.js';
