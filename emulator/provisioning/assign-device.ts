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
 * - a missing device is created with the attestation's credential (keys, or X.509 thumbprints / CA mode) and the
 *   enrollment's `iotEdge`; an existing one gets the attestation's credential if it differs (a rotated group key, a
 *   new certificate);
 * - on the registration id's first assignment to the device (no assigned registration state for it yet) the
 *   `initialTwin` (tags and desired) is merged into the twin — substatus `initialAssignment`. Keyed on the
 *   registration state, which is written last, so a crash between creating the device and writing its twin is
 *   repaired by the device's next registration;
 * - registering again keeps the twin and the previous substatus (re-registration is idempotent);
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
  if (!existing) await registry.create({ deviceId, authentication: proof.authentication, capabilities: { iotEdge: enrollment.iotEdge } }, ctx);
  else if (!sameKeys(existing, proof)) await registry.update({ deviceId, authentication: proof.authentication }, undefined, ctx);
  const wasAssigned = existing !== undefined && previous?.status === 'assigned' && previous.deviceId === deviceId;
  if (!wasAssigned) {
    if (initial && (Object.keys(initial.tags).length > 0 || Object.keys(initial.desired).length > 0)) {
      await twins.writeTwin(ctx, address, { tags: initial.tags, desired: initial.desired }, 'merge');
    }
    return { deviceId, substatus: 'initialAssignment' };
  }
  const policy = enrollment.reprovisionPolicy;
  if (policy.updateHubAssignment && !policy.migrateDeviceData) {
    await twins.writeTwin(ctx, address, { tags: initial?.tags ?? {}, desired: initial?.desired ?? {} }, 'replace');
    return { deviceId, substatus: 'deviceDataReset' };
  }
  const kept = previous.substatus;
  return { deviceId, substatus: kept === 'deviceDataMigrated' || kept === 'deviceDataReset' ? kept : 'initialAssignment' };
}

/** True when the device already has the credential the attestation gives it (keys, thumbprints, or CA mode). */
function sameKeys(device: DeviceRecord, proof: RegistrationPrincipal['proof']): boolean {
  const wanted = proof.authentication;
  const current = device.authentication;
  if (current.type !== (wanted.type ?? 'sas')) return false;
  if (current.type === 'certificateAuthority') return true;
  if (current.type === 'selfSigned') {
    const prints = current.x509Thumbprint;
    return prints.primaryThumbprint === (wanted.x509Thumbprint?.primaryThumbprint ?? null) && prints.secondaryThumbprint === (wanted.x509Thumbprint?.secondaryThumbprint ?? null);
  }
  const keys = current.symmetricKey;
  return keys.primaryKey === wanted.symmetricKey?.primaryKey && keys.secondaryKey === wanted.symmetricKey?.secondaryKey;
}

/** The hub device a registration assigns: the individual enrollment's `deviceId`, else the registration id (§2.8). */
export function deviceIdOf(principal: RegistrationPrincipal): string {
  const { match } = principal;
  return match.kind === 'individual' ? (match.deviceId ?? principal.registrationId) : principal.registrationId;
}
