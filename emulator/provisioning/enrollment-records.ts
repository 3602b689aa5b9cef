import { randomUUID } from 'node:crypto';

import { generateSymmetricKey, isValidBase64Key } from '../auth/key.js';
import { dpsBadRequest, dpsPreconditionFailed } from '../errors/dps-catalogue.js';
import type { JsonObject } from '../model/json.js';
import type { EnrollmentAttestation, EnrollmentCommon, EnrollmentGroupRecord, EnrollmentRecord, InitialTwin, ReprovisionPolicy } from '../model/provisioning.js';
import { checkDeviceId } from '../services/identity-rules.js';
import { checkSectionSize, validateSectionContent } from '../twin/validate-patch.js';
import { checkX509Attestation } from './x509-enrollment-certificates.js';

/** An attestation as a caller sends it: symmetric keys may be missing (DPS generates them). */
export type AttestationInput =
  | { readonly type: 'symmetricKey'; readonly symmetricKey: { readonly primaryKey?: string | null; readonly secondaryKey?: string | null } }
  | { readonly type: 'x509'; readonly x509: JsonObject };

/** The fields a caller may set on an individual enrollment or an enrollment group (typed at the edge). */
export interface EnrollmentFieldsInput {
  readonly attestation: AttestationInput;
  readonly provisioningStatus?: 'enabled' | 'disabled';
  readonly initialTwin?: InitialTwin | null;
  readonly reprovisionPolicy?: ReprovisionPolicy | null;
  readonly iotEdge?: boolean;
  readonly allocationPolicy?: string | null;
  readonly iotHubs?: readonly string[];
  readonly iotHubHostName?: string | null;
  readonly customAllocationDefinition?: JsonObject | null;
  /** The etag the caller holds (`If-Match`); undefined: unconditional. */
  readonly ifMatch?: string;
}

/** An individual enrollment as a caller sends it. */
export interface EnrollmentInput extends EnrollmentFieldsInput {
  readonly registrationId: string;
  readonly deviceId?: string | null;
}

/** An enrollment group as a caller sends it. */
export interface EnrollmentGroupInput extends EnrollmentFieldsInput {
  readonly enrollmentGroupId: string;
}

/** Registration ids and group ids: ≤ 128 characters of letters, digits and `- . _ :` (iothub-protocol-2.md §2.2). */
const ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Throws 400 unless `id` is a valid registration or enrollment group id. */
export function checkProvisioningId(id: string, what: string): void {
  if (!ID.test(id)) throw dpsBadRequest(`The ${what} '${id}' is invalid: use 1 to 128 letters, digits, '-', '.', '_' or ':'.`);
}

/** Throws 412 unless `ifMatch` is absent, `*`, or the current etag (a missing record has no etag to match). */
export function checkEtag(ifMatch: string | undefined, current: string | undefined): void {
  if (ifMatch === undefined || ifMatch === '*') return;
  if (current === undefined || unquote(ifMatch) !== unquote(current)) throw dpsPreconditionFailed();
}

/** The individual enrollment a create-or-update produces; `current` is the stored one, if any. */
export function buildEnrollment(input: EnrollmentInput, current: EnrollmentRecord | undefined, now: string): EnrollmentRecord {
  checkProvisioningId(input.registrationId, 'registration id');
  const deviceIdProblem = input.deviceId ? checkDeviceId(input.deviceId) : undefined;
  if (deviceIdProblem) throw dpsBadRequest(deviceIdProblem.message);
  return { registrationId: current?.registrationId ?? input.registrationId, deviceId: input.deviceId ?? null, ...common(input, current, now, 'individual') };
}

/** The enrollment group a create-or-update produces. */
export function buildEnrollmentGroup(input: EnrollmentGroupInput, current: EnrollmentGroupRecord | undefined, now: string): EnrollmentGroupRecord {
  checkProvisioningId(input.enrollmentGroupId, 'enrollment group id');
  return { enrollmentGroupId: current?.enrollmentGroupId ?? input.enrollmentGroupId, ...common(input, current, now, 'group') };
}

function common(input: EnrollmentFieldsInput, current: EnrollmentCommon | undefined, now: string, kind: 'individual' | 'group'): EnrollmentCommon {
  checkEtag(input.ifMatch, current?.etag);
  if (input.initialTwin) checkInitialTwin(input.initialTwin);
  return {
    attestation: buildAttestation(input.attestation, current?.attestation, kind),
    provisioningStatus: input.provisioningStatus ?? 'enabled',
    initialTwin: input.initialTwin ?? null,
    reprovisionPolicy: input.reprovisionPolicy ?? { updateHubAssignment: true, migrateDeviceData: true },
    iotEdge: input.iotEdge ?? false,
    allocationPolicy: input.allocationPolicy ?? null,
    iotHubs: [...(input.iotHubs ?? [])],
    iotHubHostName: input.iotHubHostName ?? null,
    customAllocationDefinition: input.customAllocationDefinition ?? null,
    etag: newEtag(),
    createdDateTimeUtc: current?.createdDateTimeUtc ?? now,
    lastUpdatedDateTimeUtc: now,
  };
}

/**
 * The initial twin must pass the hub's twin rules (keys, values, depth, size) now, so a bad one is refused when the
 * enrollment is saved instead of failing each device's registration later.
 */
function checkInitialTwin(twin: InitialTwin): void {
  for (const [section, content] of [['tags', twin.tags], ['desired', twin.desired]] as const) {
    const problem = validateSectionContent(content, `initialTwin.${section === 'tags' ? 'tags' : 'properties.desired'}`) ?? checkSectionSize(content, section);
    if (problem) throw dpsBadRequest(problem.message);
  }
}

/**
 * Keys sent empty or missing are kept from the stored enrollment, else generated; bad keys are refused (400). X.509
 * certificates must parse and fit the enrollment kind (x509-enrollment-certificates.ts); they are kept as sent.
 */
function buildAttestation(input: AttestationInput, current: EnrollmentAttestation | undefined, kind: 'individual' | 'group'): EnrollmentAttestation {
  if (input.type === 'x509') {
    checkX509Attestation(input.x509, kind);
    return { type: 'x509', x509: input.x509 };
  }
  const stored = current?.type === 'symmetricKey' ? current.symmetricKey : undefined;
  return {
    type: 'symmetricKey',
    symmetricKey: {
      primaryKey: pickKey(input.symmetricKey.primaryKey, stored?.primaryKey, 'primaryKey'),
      secondaryKey: pickKey(input.symmetricKey.secondaryKey, stored?.secondaryKey, 'secondaryKey'),
    },
  };
}

function pickKey(wanted: string | null | undefined, current: string | undefined, name: string): string {
  if (wanted === undefined || wanted === null || wanted === '') return current ?? generateSymmetricKey();
  if (!isValidBase64Key(wanted)) throw dpsBadRequest(`The symmetric key ${name} is not a valid base64 key of 16 to 64 bytes.`);
  return wanted;
}

/** A DPS etag: a quoted opaque string, new for every write. */
export function newEtag(): string {
  return `"${randomUUID()}"`;
}

function unquote(etag: string): string {
  const trimmed = etag.trim().replace(/^W\//, '');
  return trimmed.startsWith('"') && trimmed.endsWith('"') && trimmed.length >= 2 ? trimmed.slice(1, -1) : trimmed;
}
