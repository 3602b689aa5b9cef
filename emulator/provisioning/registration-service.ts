import { isSasTokenExpired, matchesResource, parseSasToken } from '../auth/sas-token.js';
import { commonNameOfCertificate, presentedCertificate } from '../auth/x509-credential.js';
import { dpsBadRequest, dpsUnauthorized, operationNotFound } from '../errors/dps-catalogue.js';
import { isIotHubError, type IotHubError } from '../errors/iothub-error.js';
import type { HubEventBus } from '../events.js';
import type { Logger } from '../logger.js';
import type { JsonValue } from '../model/json.js';
import { provisioningKey, type DpsInstance, type EnrollmentCommon, type EnrollmentGroupRecord, type EnrollmentRecord, type RegistrationRecord } from '../model/provisioning.js';
import type { RequestContext } from '../model/request-context.js';
import type { HubData } from '../services/hub-data.js';
import type { RegistryService } from '../services/registry-service.js';
import type { TwinService } from '../services/twin-service.js';
import type { Clock } from '../util/clock.js';
import { isRefusal, type AttestationContext, type AttestationProof, type DeviceCredential } from './attestation.js';
import { mechanismFor } from './attestations.js';
import { checkProvisioningId, newEtag } from './enrollment-records.js';
import type { EnrollmentService } from './enrollment-service.js';
import { OperationTable, type OperationStatus } from './operations.js';
import { KeyedWriteLock } from './write-lock.js';
import { assignDevice, deviceIdOf } from './assign-device.js';
import { allocateWithWebhook, CustomAllocationError, type CustomAllocation } from './custom-allocation.js';
import { caCertificateAnchor } from '../services/x509-identity-check.js';
import { getOwn } from '../util/own-keys.js';

/** A credential without an expiry (an X.509 certificate): the connection is not cut for it. */
const NO_EXPIRY_SECONDS = Number.MAX_SAFE_INTEGER;

/** A device that proved a registration id: the enrollment it matched and what its hub identity gets. */
export interface RegistrationPrincipal {
  readonly registrationId: string;
  /** Token expiry, seconds since the epoch (an MQTT connection is cut after it). */
  readonly expiresAtSeconds: number;
  readonly match: EnrollmentMatch;
  readonly proof: AttestationProof;
}

/** The enrollment a device matched: its own individual enrollment, or a group. */
export type EnrollmentMatch =
  | { readonly kind: 'individual'; readonly registrationId: string; readonly deviceId: string | null; readonly enrollment: EnrollmentCommon; readonly record: EnrollmentRecord }
  | { readonly kind: 'group'; readonly enrollmentGroupId: string; readonly enrollment: EnrollmentCommon; readonly record: EnrollmentGroupRecord };

/** Result of {@link RegistrationService.authenticate}; never throws (house-style H8). */
export type RegistrationAuthResult = { ok: true; principal: RegistrationPrincipal } | { ok: false; error: IotHubError };

/** Seconds a device is told to wait before it polls (`retry-after`); the emulator assigns in milliseconds. */
export const RETRY_AFTER_SECONDS = 1;

/**
 * The device side of the provisioning service (iothub-protocol-2.md §2.3-2.8): authenticates a registration id
 * (SAS against the individual enrollment, else the groups' derived keys), runs the register operation (creates or
 * updates the device through the registry, applies the initial twin through the one twin write path, records the
 * registration state) and answers the polls of its operation id.
 */
export class RegistrationService {
  private readonly operations = new OperationTable();
  /** Registrations that assign the same device run in order; the others run side by side (and share fsyncs). */
  private readonly deviceLock = new KeyedWriteLock();

  constructor(
    private readonly deps: {
      readonly data: HubData;
      readonly enrollments: EnrollmentService;
      readonly registry: RegistryService;
      readonly twins: TwinService;
      readonly clock: Clock;
      readonly events: HubEventBus;
      readonly logger: Logger;
      readonly instance: () => DpsInstance;
      /** `assignedHub`: the host name devices use for the hub (and sign their hub SAS for). */
      readonly hubHostName: string;
    },
  ) {}

  /** The id scope devices must name. */
  get idScope(): string {
    return this.deps.instance().idScope;
  }

  /**
   * Verifies a device's credential for `<idScope>/registrations/<registrationId>` and finds the enrollment it proves:
   * a SAS token (`skn=registration`, §2.7) or, without one, the TLS client certificate chain the device presented
   * (X.509: the leaf's subject CN must be the registration id, §2.2). Every refusal is 401 (401002) with the reason.
   */
  authenticate(idScope: string, registrationId: string, token: string | undefined, certificate: readonly Buffer[] = []): RegistrationAuthResult {
    if (idScope.toLowerCase() !== this.idScope.toLowerCase()) return deny(`Unknown id scope '${idScope}'.`);
    if ((token === undefined || token === '') && certificate.length > 0) return this.authenticateCertificate(registrationId, certificate);
    if (token === undefined || token === '') return deny('Missing SharedAccessSignature and no client certificate.');
    const parsed = parseSasToken(token);
    if (!parsed.ok) return deny(`Malformed SharedAccessSignature: ${parsed.error}`);
    const sas = parsed.value;
    if (sas.skn !== 'registration') return deny("The token's skn must be 'registration'.");
    if (!matchesResource(sas.resource, `${idScope}/registrations/${registrationId}`) || sas.resource.split('/').length !== 3) {
      return deny(`The token audience '${sas.resource}' is not ${idScope}/registrations/${registrationId}.`);
    }
    if (isSasTokenExpired(sas, Math.floor(this.deps.clock.now().getTime() / 1000))) return deny('The SAS token has expired.');
    const found = this.attest(registrationId, { kind: 'sas', token: sas });
    if (!found.ok) return deny(found.reason ?? `No enrollment of this provisioning service accepts the credential of '${registrationId}'.`);
    return { ok: true, principal: { registrationId, expiresAtSeconds: sas.se, match: found.match, proof: found.proof } };
  }

  private authenticateCertificate(registrationId: string, certificate: readonly Buffer[]): RegistrationAuthResult {
    const presented = presentedCertificate(certificate);
    if (!presented) return deny('Invalid certificate: the client certificate cannot be parsed.');
    const commonName = commonNameOfCertificate(presented.leaf);
    if (commonName !== registrationId) {
      return deny(`Invalid certificate: the registration id '${registrationId}' is not the certificate's subject CN '${commonName ?? '(none)'}'.`);
    }
    const found = this.attest(registrationId, { kind: 'x509', presented });
    if (!found.ok) return deny(`Invalid certificate: ${found.reason ?? `no enrollment of this provisioning service accepts the certificate of '${registrationId}'`}.`);
    return { ok: true, principal: { registrationId, expiresAtSeconds: NO_EXPIRY_SECONDS, match: found.match, proof: found.proof } };
  }

  /** Starts a registration: answers at once with the operation id; polls follow (§2.6). */
  register(ctx: RequestContext, principal: RegistrationPrincipal, body: unknown): OperationStatus {
    checkProvisioningId(principal.registrationId, 'registration id');
    const named = typeof body === 'object' && body !== null ? (body as { registrationId?: unknown }).registrationId : undefined;
    if (named !== undefined && (typeof named !== 'string' || named.toLowerCase() !== principal.registrationId.toLowerCase())) {
      throw dpsBadRequest(`The body names registration id '${String(named)}', the request '${principal.registrationId}'.`);
    }
    const payload = typeof body === 'object' && body !== null ? (body as { payload?: JsonValue }).payload : undefined;
    const key = provisioningKey(principal.registrationId);
    const operationId = this.operations.start(key, this.deps.clock.now().getTime());
    // The custom-allocation webhook is asked before the write lock is taken: it may take seconds.
    void this.allocate(principal, payload)
      .then((allocation) => this.deviceLock.run(deviceIdOf(principal), () => this.assign(ctx, principal, allocation)))
      .then((record) => this.operations.finish(operationId, record))
      .catch((error: unknown) => this.deps.logger.error(`bug: registration of ${principal.registrationId} threw: ${String(error)}`, ctx.correlationId));
    return { operationId, status: 'assigning' };
  }

  /** The status of an operation this registration id started, or 404. */
  operationStatus(registrationId: string, operationId: string): OperationStatus {
    const status = this.operations.status(operationId, provisioningKey(registrationId), this.deps.clock.now().getTime());
    if (!status) throw operationNotFound(operationId);
    return status;
  }

  private attest(registrationId: string, credential: DeviceCredential): ({ ok: true } & Pick<RegistrationPrincipal, 'match' | 'proof'>) | { ok: false; reason?: string } {
    const context = this.attestationContext();
    // The individual enrollment is consulted first: a disabled one blocks the device even when a group matches (§2.7).
    const individual = this.deps.enrollments.findEnrollment(registrationId);
    if (individual) {
      const outcome = mechanismFor(individual.attestation)?.proveIndividual(credential, individual.attestation, registrationId, context);
      if (outcome === undefined) return { ok: false, reason: `The individual enrollment '${individual.registrationId}' uses ${individual.attestation.type} attestation, the device presented ${credential.kind === 'sas' ? 'a SAS token' : 'an X.509 certificate'}.` };
      if (isRefusal(outcome)) return { ok: false, reason: outcome.refused };
      return { ok: true, proof: outcome, match: { kind: 'individual', registrationId: individual.registrationId, deviceId: individual.deviceId, enrollment: individual, record: individual } };
    }
    let reason: string | undefined;
    for (const group of this.deps.enrollments.groups()) {
      const outcome = mechanismFor(group.attestation)?.proveGroupMember(credential, group.attestation, registrationId, context);
      if (outcome === undefined) continue;
      if (isRefusal(outcome)) {
        // A chain that reached a group's CA (expired, unverified …) says more than one that belongs elsewhere.
        if (reason === undefined || (reason.includes('unknown CA') && !outcome.refused.startsWith('unknown CA'))) reason = `enrollment group '${group.enrollmentGroupId}': ${outcome.refused}`;
        continue;
      }
      return { ok: true, proof: outcome, match: { kind: 'group', enrollmentGroupId: group.enrollmentGroupId, enrollment: group, record: group } };
    }
    // A symmetric-key device's group refusals are all the same (signature mismatch); a certificate's name why.
    return credential.kind === 'x509' && reason !== undefined ? { ok: false, reason } : { ok: false };
  }

  private attestationContext(): AttestationContext {
    const committed = this.deps.data.committed;
    return {
      now: this.deps.clock.now(),
      caCertificate: (name) => {
        const record = getOwn(committed.caCertificates, name);
        return record && caCertificateAnchor(record);
      },
    };
  }

  /** The webhook's decision for a `custom` enrollment; nothing to decide for the other policies (one hub). */
  private async allocate(principal: RegistrationPrincipal, payload: JsonValue | undefined): Promise<CustomAllocation | CustomAllocationError | undefined> {
    if (principal.match.enrollment.allocationPolicy !== 'custom' || principal.match.enrollment.provisioningStatus === 'disabled') return undefined;
    try {
      return await allocateWithWebhook(principal, payload, this.deps.hubHostName);
    } catch (error) {
      if (error instanceof CustomAllocationError) return error;
      throw error;
    }
  }

  /** Runs under the device's lock; never rejects: a failure becomes a `failed` registration state. */
  private async assign(ctx: RequestContext, principal: RegistrationPrincipal, allocation: CustomAllocation | CustomAllocationError | undefined): Promise<RegistrationRecord> {
    const { data, enrollments, registry, twins, hubHostName } = this.deps;
    const previous = enrollments.findRegistration(principal.registrationId);
    const now = ctx.time;
    const base = {
      registrationId: previous?.registrationId ?? principal.registrationId,
      enrollmentGroupId: principal.match.kind === 'group' ? principal.match.enrollmentGroupId : null,
      attestationType: principal.match.enrollment.attestation.type,
      etag: newEtag(),
      createdDateTimeUtc: previous?.createdDateTimeUtc ?? now,
      lastUpdatedDateTimeUtc: now,
    };
    let record: RegistrationRecord;
    if (principal.match.enrollment.provisioningStatus === 'disabled') {
      record = { ...base, status: 'disabled', substatus: null, deviceId: null, assignedHub: null, errorCode: null, errorMessage: null };
    } else if (allocation instanceof CustomAllocationError) {
      record = { ...base, status: 'failed', substatus: null, deviceId: null, assignedHub: null, errorCode: allocation.errorCode, errorMessage: allocation.message };
    } else {
      try {
        const assigned = await assignDevice({ ctx, principal, previous, registry, twins, ...(allocation?.initialTwin ? { initialTwin: allocation.initialTwin } : {}) });
        record = {
          ...base,
          status: 'assigned',
          substatus: assigned.substatus,
          deviceId: assigned.deviceId,
          assignedHub: hubHostName,
          errorCode: null,
          errorMessage: null,
          ...(allocation?.payload === undefined ? {} : { payload: allocation.payload }),
        };
      } catch (error) {
        if (!isIotHubError(error)) this.deps.logger.error(`provisioning ${principal.registrationId} failed: ${String(error)}`, ctx.correlationId);
        const hubError = isIotHubError(error) ? error : undefined;
        record = { ...base, status: 'failed', substatus: null, deviceId: null, assignedHub: null, errorCode: hubError?.errorCode ?? 500000, errorMessage: hubError?.message ?? 'Internal error' };
      }
    }
    try {
      await data.write([{ kind: 'registrationPut', record }], []);
      this.deps.events.emit('provisioningChanged', { kinds: ['registrationPut'] });
    } catch (error) {
      this.deps.logger.warn(`the registration state of ${principal.registrationId} could not be stored: ${String(error)}`, ctx.correlationId);
    }
    return record;
  }
}

function deny(message: string): RegistrationAuthResult {
  return { ok: false, error: dpsUnauthorized(message) };
}
