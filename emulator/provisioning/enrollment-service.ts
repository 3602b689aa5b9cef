import { dpsBadRequest, enrollmentAlreadyExists, enrollmentGroupNotFound, enrollmentNotFound, registrationNotFound } from '../errors/dps-catalogue.js';
import { isIotHubError } from '../errors/iothub-error.js';
import type { HubEventBus } from '../events.js';
import type { ProvisioningChange } from '../model/changes.js';
import { provisioningKey, type EnrollmentAttestation, type EnrollmentGroupRecord, type EnrollmentRecord, type RegistrationRecord } from '../model/provisioning.js';
import type { RequestContext } from '../model/request-context.js';
import type { HubData } from '../services/hub-data.js';
import { timeOf } from '../services/request-contexts.js';
import type { Clock } from '../util/clock.js';
import { getOwn } from '../util/own-keys.js';
import { buildEnrollment, buildEnrollmentGroup, checkEtag, type EnrollmentGroupInput, type EnrollmentInput } from './enrollment-records.js';
import { pageOf, type ProvisioningPage } from './provisioning-pages.js';
import type { WriteLock } from './write-lock.js';

/** `runBulkEnrollmentOperation` modes (iothub-protocol-2.md §2.9). */
export type BulkMode = 'create' | 'update' | 'updateIfMatchETag' | 'delete';

/** The outcome of a bulk operation, in DPS's shape. */
export interface BulkResult {
  readonly isSuccessful: boolean;
  readonly errors: readonly { readonly registrationId: string; readonly errorCode: number; readonly errorStatus: string }[];
}

/** DPS accepts at most this many enrollments per bulk call. */
export const MAX_BULK_ENROLLMENTS = 10;

/**
 * Individual enrollments, enrollment groups and device registration states as the DPS service API sees them
 * (iothub-protocol-2.md §2.9): reads from committed state, writes one at a time (`WriteLock`) with etags checked
 * against the committed record, each write one or more change records.
 */
export class EnrollmentService {
  constructor(
    private readonly data: HubData,
    private readonly lock: WriteLock,
    private readonly clock: Clock,
    private readonly events: HubEventBus,
  ) {}

  /**
   * One write at a time on this node, planned again against the new state when another node of a cluster wrote one
   * of its records first (HubData.retrying: an If-Match that no longer matches then fails with 412, as on one hub).
   */
  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    return this.lock.run(() => this.data.retrying(work));
  }

  /** The individual enrollment, or 404. */
  getEnrollment(registrationId: string): EnrollmentRecord {
    const record = this.findEnrollment(registrationId);
    if (!record) throw enrollmentNotFound(registrationId);
    return record;
  }

  findEnrollment(registrationId: string): EnrollmentRecord | undefined {
    return getOwn(this.data.committed.enrollments, provisioningKey(registrationId));
  }

  /** Creates or replaces an individual enrollment (keys generated when omitted); `ifMatch` must be current. */
  putEnrollment(input: EnrollmentInput, ctx?: RequestContext): Promise<EnrollmentRecord> {
    return this.exclusive(async () => {
      const record = buildEnrollment(input, this.findEnrollment(input.registrationId), timeOf(ctx, this.clock));
      await this.commit([{ kind: 'enrollmentPut', record }]);
      return record;
    });
  }

  deleteEnrollment(registrationId: string, ifMatch?: string): Promise<void> {
    return this.exclusive(async () => {
      const current = this.getEnrollment(registrationId);
      checkEtag(ifMatch, current.etag);
      await this.commit([{ kind: 'enrollmentDeleted', registrationId: current.registrationId }]);
    });
  }

  queryEnrollments(options: { pageSize?: number; continuation?: string }): ProvisioningPage<EnrollmentRecord> {
    return pageOf(this.data.committed.enrollments, options);
  }

  /** The enrollment's attestation with its keys. */
  enrollmentAttestation(registrationId: string): EnrollmentAttestation {
    return this.getEnrollment(registrationId).attestation;
  }

  getGroup(enrollmentGroupId: string): EnrollmentGroupRecord {
    const record = this.findGroup(enrollmentGroupId);
    if (!record) throw enrollmentGroupNotFound(enrollmentGroupId);
    return record;
  }

  findGroup(enrollmentGroupId: string): EnrollmentGroupRecord | undefined {
    return getOwn(this.data.committed.enrollmentGroups, provisioningKey(enrollmentGroupId));
  }

  putGroup(input: EnrollmentGroupInput, ctx?: RequestContext): Promise<EnrollmentGroupRecord> {
    return this.exclusive(async () => {
      const record = buildEnrollmentGroup(input, this.findGroup(input.enrollmentGroupId), timeOf(ctx, this.clock));
      await this.commit([{ kind: 'enrollmentGroupPut', record }]);
      return record;
    });
  }

  deleteGroup(enrollmentGroupId: string, ifMatch?: string): Promise<void> {
    return this.exclusive(async () => {
      const current = this.getGroup(enrollmentGroupId);
      checkEtag(ifMatch, current.etag);
      await this.commit([{ kind: 'enrollmentGroupDeleted', enrollmentGroupId: current.enrollmentGroupId }]);
    });
  }

  queryGroups(options: { pageSize?: number; continuation?: string }): ProvisioningPage<EnrollmentGroupRecord> {
    return pageOf(this.data.committed.enrollmentGroups, options);
  }

  /** Every committed enrollment group (the registration flow tries them in turn). */
  groups(): EnrollmentGroupRecord[] {
    return Object.values(this.data.committed.enrollmentGroups);
  }

  /**
   * Creates, updates or deletes up to {@link MAX_BULK_ENROLLMENTS} individual enrollments. Each enrollment is
   * checked on its own (create: must not exist; update: must exist; updateIfMatchETag: its etag must be current);
   * the ones that pass are committed together, the others are reported in `errors`.
   */
  bulk(mode: BulkMode, inputs: readonly EnrollmentInput[], ctx?: RequestContext): Promise<BulkResult> {
    if (inputs.length === 0 || inputs.length > MAX_BULK_ENROLLMENTS) {
      return Promise.reject(dpsBadRequest(`A bulk operation takes 1 to ${MAX_BULK_ENROLLMENTS} enrollments, not ${inputs.length}.`));
    }
    return this.exclusive(async () => {
      const now = timeOf(ctx, this.clock);
      const changes: ProvisioningChange[] = [];
      const errors: BulkResult['errors'][number][] = [];
      const seen = new Set<string>();
      for (const input of inputs) {
        const key = provisioningKey(input.registrationId);
        try {
          if (seen.has(key)) throw dpsBadRequest(`The enrollment '${input.registrationId}' appears more than once.`);
          seen.add(key);
          changes.push(bulkChange(mode, input, this.findEnrollment(input.registrationId), now));
        } catch (error) {
          if (!isIotHubError(error)) throw error;
          errors.push({ registrationId: input.registrationId, errorCode: error.errorCode, errorStatus: error.message });
        }
      }
      if (changes.length > 0) await this.commit(changes);
      return { isSuccessful: errors.length === 0, errors };
    });
  }

  /** The registration state of a registration id, or 404. */
  getRegistration(registrationId: string): RegistrationRecord {
    const record = this.findRegistration(registrationId);
    if (!record) throw registrationNotFound(registrationId);
    return record;
  }

  findRegistration(registrationId: string): RegistrationRecord | undefined {
    return getOwn(this.data.committed.registrations, provisioningKey(registrationId));
  }

  /** Forgets a registration state (the device registers afresh next time); the hub device stays. */
  deleteRegistration(registrationId: string, ifMatch?: string): Promise<void> {
    return this.exclusive(async () => {
      const current = this.getRegistration(registrationId);
      checkEtag(ifMatch, current.etag);
      await this.commit([{ kind: 'registrationDeleted', registrationId: current.registrationId }]);
    });
  }

  /** The registration states of the devices that registered through an enrollment group, paged. */
  queryGroupRegistrations(enrollmentGroupId: string, options: { pageSize?: number; continuation?: string }): ProvisioningPage<RegistrationRecord> {
    const group = provisioningKey(enrollmentGroupId);
    return pageOf(this.data.committed.registrations, options, (record) => record.enrollmentGroupId !== null && provisioningKey(record.enrollmentGroupId) === group);
  }

  /** Every registration state (for the studio's registration history). */
  registrations(): RegistrationRecord[] {
    return Object.values(this.data.committed.registrations);
  }

  private async commit(changes: readonly ProvisioningChange[]): Promise<void> {
    await this.data.write(changes, []);
    this.events.emit('provisioningChanged', { kinds: changes.map((change) => change.kind) });
  }
}

function bulkChange(mode: BulkMode, input: EnrollmentInput, current: EnrollmentRecord | undefined, now: string): ProvisioningChange {
  switch (mode) {
    case 'create':
      if (current) throw enrollmentAlreadyExists(input.registrationId);
      return { kind: 'enrollmentPut', record: buildEnrollment({ ...input, ifMatch: undefined }, undefined, now) };
    case 'update':
      return { kind: 'enrollmentPut', record: buildEnrollment({ ...input, ifMatch: undefined }, current, now) };
    case 'updateIfMatchETag':
      return { kind: 'enrollmentPut', record: buildEnrollment(input, current, now) };
    default:
      if (!current) throw enrollmentNotFound(input.registrationId);
      checkEtag(input.ifMatch, current.etag);
      return { kind: 'enrollmentDeleted', registrationId: current.registrationId };
  }
}
