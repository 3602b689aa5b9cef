import type { ProvisioningChange } from '../model/changes.js';
import type { HubState } from '../model/hub-state.js';
import { provisioningKey } from '../model/provisioning.js';
import { setOwn } from '../util/own-keys.js';

/** The provisioning (DPS) part of the one reducer (`apply-change.ts`): records are replaced, never mutated. */
export function applyProvisioningChange(state: HubState, change: ProvisioningChange): void {
  switch (change.kind) {
    case 'dpsInstanceSet':
      setOwn(state.dpsInstances, change.instance.idScope, change.instance);
      return;
    case 'enrollmentPut':
      setOwn(state.enrollments, provisioningKey(change.record.registrationId), change.record);
      return;
    case 'enrollmentDeleted':
      delete state.enrollments[provisioningKey(change.registrationId)];
      return;
    case 'enrollmentGroupPut':
      setOwn(state.enrollmentGroups, provisioningKey(change.record.enrollmentGroupId), change.record);
      return;
    case 'enrollmentGroupDeleted':
      delete state.enrollmentGroups[provisioningKey(change.enrollmentGroupId)];
      return;
    case 'registrationPut':
      setOwn(state.registrations, provisioningKey(change.record.registrationId), change.record);
      return;
    case 'registrationDeleted':
      delete state.registrations[provisioningKey(change.registrationId)];
      return;
  }
}

/** True for the change kinds {@link applyProvisioningChange} handles. */
export function isProvisioningChange(change: { readonly kind: string }): change is ProvisioningChange {
  return PROVISIONING_KINDS.has(change.kind);
}

const PROVISIONING_KINDS: ReadonlySet<string> = new Set([
  'dpsInstanceSet',
  'enrollmentPut',
  'enrollmentDeleted',
  'enrollmentGroupPut',
  'enrollmentGroupDeleted',
  'registrationPut',
  'registrationDeleted',
]);
