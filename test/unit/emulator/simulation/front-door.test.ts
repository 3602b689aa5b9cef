import { describe, expectTypeOf, it } from 'vitest';

import {
  checkProfile,
  createSimulationManager,
  listBuiltinProfiles,
  parseProfile,
  type CreateSimulationInput,
  type HubEmulator,
  type Profile,
  type ProfileSummary,
  type SimulationEvent,
  type SimulationInfo,
  type SimulationManager,
  type SimulationState,
  type SpecIssue,
} from '../../../../emulator/index.js';

// Type tests of the simulation surface of the front door (house-style H22): what main/ may rely on.

describe('the simulation front door', () => {
  it('creates a manager from a hub and exposes typed simulations', () => {
    expectTypeOf(createSimulationManager).parameter(0).toEqualTypeOf<HubEmulator>();
    expectTypeOf(createSimulationManager).returns.resolves.toEqualTypeOf<SimulationManager>();
    expectTypeOf<SimulationManager['list']>().returns.toEqualTypeOf<SimulationInfo[]>();
    expectTypeOf<SimulationManager['create']>().parameter(0).toEqualTypeOf<CreateSimulationInput>();
    expectTypeOf<SimulationManager['isSimulated']>().returns.toEqualTypeOf<boolean>();
    expectTypeOf<SimulationInfo['status']['state']>().toEqualTypeOf<SimulationState>();
    expectTypeOf<SimulationInfo['runState']>().toEqualTypeOf<'running' | 'paused' | 'stopped'>();
    expectTypeOf<Extract<SimulationEvent, { type: 'removed' }>['deviceId']>().toEqualTypeOf<string>();
  });

  it('validates profiles without throwing, or by throwing a ProfileError', () => {
    expectTypeOf(checkProfile).returns.toEqualTypeOf<{ ok: true; profile: Profile } | { ok: false; issues: SpecIssue[] }>();
    expectTypeOf(parseProfile).returns.toEqualTypeOf<Profile>();
    expectTypeOf(listBuiltinProfiles).returns.resolves.toEqualTypeOf<ProfileSummary[]>();
  });
});
