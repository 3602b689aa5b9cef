import type { DeviceRecord } from '../model/device.js';
import type { InitialTwin, RegistrationRecord } from '../model/provisioning.js';
import type { RequestContext } from '../model/request-context.js';
import type { RegistryService } from '../services/registry-service.js';
import type { TwinService } from '../services/twin-service.js';
import type { RegistrationPrincipal } from './registration-service.js';

/** What an assignment did to the hub: the device id and the registration substatus. */
export interface Assignment {
  readonly deviceId: string;
  readonly substatus: 'initialAssignment' | 'deviceDataMigrated' | 'deviceDataReset';
}

/**
 * Creates or updates the hub device a registration was assigned (iothub-protocol-2.md §2.8), always through the
 * registry and the one twin write path (house-style H5):
 * - a new device gets the attestation's keys and the enrollment's `iotEdge`, then the `initialTwin` (tags and
 *   desired, merged) — substatus `initialAssignment`;
 * - an existing device keeps its twin; its keys are brought to the attestation's (a rotated group key) — the
 *   previous substatus stays (re-registration is idempotent);
 * - with `reprovisionPolicy` {updateHubAssignment: true, migrateDeviceData: false}, a device registering again
 *   gets its tags and desired replaced by the initial twin — substatus `deviceDataReset`.
 * The one hub is the assignment of every allocation policy.
 */
export async function assignDevice(input: {
  readonly ctx: RequestContext;
  readonly principal: RegistrationPrincipal;
  readonly previous: RegistrationRecord | undefined;
  readonly registry: RegistryService;
  readonly twins: TwinService;
  /** The custom-allocation webhook's initial twin, which replaces the enrollment's. */
  readonly initialTwin?: InitialTwin;
}): Promise<Assignment> {
  const { ctx, principal, previous, registry, twins } = input;
  const { match, proof } = principal;
  const enrollment = match.enrollment;
  const deviceId = deviceIdOf(principal);
  const address = { deviceId };
  const initial = input.initialTwin ?? enrollment.initialTwin;
  const existing = registry.find(deviceId);
  if (!existing) {
    await registry.create({ deviceId, authentication: proof.authentication, capabilities: { iotEdge: enrollment.iotEdge } }, ctx);
    if (initial && (Object.keys(initial.tags).length > 0 || Object.keys(initial.desired).length > 0)) {
      await twins.writeTwin(ctx, address, { tags: initial.tags, desired: initial.desired }, 'merge');
    }
    return { deviceId, substatus: 'initialAssignment' };
  }
  if (!sameKeys(existing, proof)) await registry.update({ deviceId, authentication: proof.authentication }, undefined, ctx);
  const wasAssigned = previous?.status === 'assigned' && previous.deviceId === deviceId;
  const policy = enrollment.reprovisionPolicy;
  if (wasAssigned && policy.updateHubAssignment && !policy.migrateDeviceData) {
    await twins.writeTwin(ctx, address, { tags: initial?.tags ?? {}, desired: initial?.desired ?? {} }, 'replace');
    return { deviceId, substatus: 'deviceDataReset' };
  }
  const kept = previous?.substatus;
  return { deviceId, substatus: kept === 'deviceDataMigrated' || kept === 'deviceDataReset' ? kept : 'initialAssignment' };
}

function sameKeys(device: DeviceRecord, proof: RegistrationPrincipal['proof']): boolean {
  const wanted = proof.authentication;
  const keys = device.authentication.symmetricKey;
  return device.authentication.type === (wanted.type ?? 'sas') && keys.primaryKey === wanted.symmetricKey?.primaryKey && keys.secondaryKey === wanted.symmetricKey?.secondaryKey;
}

/** The hub device a registration assigns: the individual enrollment's `deviceId`, else the registration id (§2.8). */
export function deviceIdOf(principal: RegistrationPrincipal): string {
  const { match } = principal;
  return match.kind === 'individual' ? (match.deviceId ?? principal.registrationId) : principal.registrationId;
}
