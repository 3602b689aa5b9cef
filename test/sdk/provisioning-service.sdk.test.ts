import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { deriveDeviceKey, type HubEmulator } from '../../emulator/index.js';
import { provisioningServiceClient, registerWithKey } from '../helpers/provisioning-sdk.js';
import { startTestHub, type TestHub } from '../helpers/start-hub.js';

// The DPS service API as azure-iot-provisioning-service's ProvisioningServiceClient calls it
// (iothub-protocol-2.md §2.9, checklist 125-128), on the hub's HTTPS port, with the DPS connection string.

type ServiceClient = ReturnType<typeof provisioningServiceClient>;

/**
 * `runBulkEnrollmentOperation` in its callback form: its promise form never settles in azure-iot-provisioning-service
 * 1.11.2 (the SDK answers only when a callback was given), so that is how an app must call it.
 */
function bulk(service: ServiceClient, operation: object): Promise<unknown> {
  return new Promise((resolve, reject) => {
    service.runBulkEnrollmentOperation(operation as never, (error, result) => (error ? reject(error) : resolve(result)));
  });
}

interface Enrollment {
  registrationId: string;
  etag?: string;
  attestation: { type: string; symmetricKey?: { primaryKey: string; secondaryKey: string } };
  provisioningStatus?: string;
  [key: string]: unknown;
}

describe('ProvisioningServiceClient against the hub', () => {
  let test: TestHub;
  let hub: HubEmulator;
  let service: ServiceClient;

  beforeAll(async () => {
    test = await startTestHub({ ports: { https: 0 } });
    hub = test.hub;
    service = provisioningServiceClient(hub);
  });

  afterAll(async () => {
    await test?.dispose();
  });

  it('creates an enrollment with generated keys and a quoted etag, updates it with If-Match and refuses a stale etag with 412', async () => {
    const created = (await service.createOrUpdateIndividualEnrollment({ registrationId: 'crud-1', attestation: { type: 'symmetricKey' } } as never)).responseBody as unknown as Enrollment;
    expect(created).toMatchObject({ registrationId: 'crud-1', provisioningStatus: 'enabled', attestation: { type: 'symmetricKey', symmetricKey: { primaryKey: expect.any(String), secondaryKey: expect.any(String) } } });
    expect(created.etag).toMatch(/^".+"$/);
    const fetched = (await service.getIndividualEnrollment('crud-1')).responseBody as unknown as Enrollment;
    expect(fetched.etag).toBe(created.etag);

    const updated = (await service.createOrUpdateIndividualEnrollment({ ...fetched, provisioningStatus: 'disabled' } as never)).responseBody as unknown as Enrollment;
    expect(updated).toMatchObject({ provisioningStatus: 'disabled', attestation: created.attestation });
    expect(updated.etag).not.toBe(created.etag);

    await expect(service.createOrUpdateIndividualEnrollment({ ...fetched, provisioningStatus: 'enabled' } as never)).rejects.toMatchObject({ name: 'InvalidEtagError' });
    await expect(service.deleteIndividualEnrollment(fetched as never)).rejects.toMatchObject({ name: 'InvalidEtagError' });
    expect((await service.getIndividualEnrollmentAttestationMechanism('crud-1')).responseBody).toEqual(created.attestation);

    await service.deleteIndividualEnrollment(updated as never);
    const missing = (await service.getIndividualEnrollment('crud-1').catch((error: unknown) => error)) as { response?: { statusCode: number } };
    expect(missing.response?.statusCode).toBe(404);
  });

  it('runs enrollment group CRUD with etags and the group attestation mechanism', async () => {
    const group = (await service.createOrUpdateEnrollmentGroup({ enrollmentGroupId: 'g-crud', attestation: { type: 'symmetricKey', symmetricKey: { primaryKey: Buffer.alloc(32, 1).toString('base64'), secondaryKey: Buffer.alloc(32, 2).toString('base64') } }, initialTwin: { tags: { t: 1 }, properties: { desired: { d: 2 } } } } as never)).responseBody as unknown as Enrollment & { enrollmentGroupId: string };
    expect(group).toMatchObject({ enrollmentGroupId: 'g-crud', initialTwin: { tags: { t: 1 }, properties: { desired: { d: 2 } } }, attestation: { symmetricKey: { primaryKey: Buffer.alloc(32, 1).toString('base64') } } });
    expect((await service.getEnrollmentGroupAttestationMechanism('g-crud')).responseBody).toEqual(group.attestation);
    const fetched = (await service.getEnrollmentGroup('g-crud')).responseBody as unknown as Enrollment;
    await service.createOrUpdateEnrollmentGroup({ ...fetched, provisioningStatus: 'disabled' } as never);
    await expect(service.deleteEnrollmentGroup(fetched as never)).rejects.toMatchObject({ name: 'InvalidEtagError' });
    await service.deleteEnrollmentGroup('g-crud');
    await expect(service.getEnrollmentGroup('g-crud')).rejects.toMatchObject({ response: { statusCode: 404 } });
  });

  it('runs bulk operations, reporting per-enrollment errors', async () => {
    const enrollments = ['bulk-1', 'bulk-2', 'bulk-3'].map((registrationId) => ({ registrationId, attestation: { type: 'symmetricKey' } }));
    expect(await bulk(service, { mode: 'create', enrollments })).toEqual({ isSuccessful: true, errors: [] });
    const again = await bulk(service, { mode: 'create', enrollments: [enrollments[0], { registrationId: 'bulk-4', attestation: { type: 'symmetricKey' } }] });
    expect(again).toMatchObject({ isSuccessful: false, errors: [{ registrationId: 'bulk-1', errorCode: 409201 }] });
    expect((await service.getIndividualEnrollment('bulk-4')).responseBody).toMatchObject({ registrationId: 'bulk-4' });
    expect(await bulk(service, { mode: 'delete', enrollments: [{ registrationId: 'bulk-1' }, { registrationId: 'bulk-2' }] })).toEqual({ isSuccessful: true, errors: [] });
    await expect(service.getIndividualEnrollment('bulk-1')).rejects.toMatchObject({ response: { statusCode: 404 } });
  });

  it('pages enrollment queries with x-ms-max-item-count and x-ms-continuation until hasMoreResults is false', async () => {
    for (const id of ['page-a', 'page-b', 'page-c', 'page-d', 'page-e']) await hub.enrollments.putEnrollment({ registrationId: id, attestation: { type: 'symmetricKey', symmetricKey: {} } });
    const query = service.createIndividualEnrollmentQuery({ query: '*' }, 2);
    const seen: string[] = [];
    let pages = 0;
    while (query.hasMoreResults) {
      // The promise form of next() forgets the stored token unless it is handed back (the SDK reads its first argument).
      const page = await query.next(query.continuationToken as unknown as string);
      pages += 1;
      const items = page.responseBody as unknown as Enrollment[];
      expect(items.length).toBeLessThanOrEqual(2);
      seen.push(...items.map((item) => item.registrationId));
      if (pages > 20) throw new Error('the query never ended');
    }
    expect(seen.filter((id) => id.startsWith('page-'))).toEqual(['page-a', 'page-b', 'page-c', 'page-d', 'page-e']);
    expect(new Set(seen).size).toBe(seen.length);
    expect(pages).toBe(Math.ceil(seen.length / 2));
    await expect(service.createIndividualEnrollmentQuery({ query: "SELECT * FROM enrollments WHERE x = 'y'" }).next()).rejects.toMatchObject({ name: 'ArgumentError' });
  });

  it('queries, gets and deletes the registration states of a group, after which the device registers afresh', async () => {
    const group = await hub.enrollments.putGroup({ enrollmentGroupId: 'reg-group', attestation: { type: 'symmetricKey', symmetricKey: {} } });
    const groupKey = group.attestation.type === 'symmetricKey' ? group.attestation.symmetricKey.primaryKey : '';
    for (const id of ['rs-1', 'rs-2']) await registerWithKey(hub, 'Mqtt', id, deriveDeviceKey(groupKey, id));
    const page = await service.createEnrollmentGroupDeviceRegistrationStateQuery({ query: '*' }, 'reg-group').next();
    const states = page.responseBody as unknown as { registrationId: string; status: string; assignedHub: string }[];
    expect(states.map((state) => [state.registrationId, state.status, state.assignedHub])).toEqual([
      ['rs-1', 'assigned', hub.info.hostName],
      ['rs-2', 'assigned', hub.info.hostName],
    ]);
    const state = (await service.getDeviceRegistrationState('rs-1')).responseBody as unknown as { etag: string; createdDateTimeUtc: string };
    await service.deleteDeviceRegistrationState(state as never);
    await expect(service.getDeviceRegistrationState('rs-1')).rejects.toMatchObject({ response: { statusCode: 404 } });
    await new Promise((resolve) => setTimeout(resolve, 5));
    const again = await registerWithKey(hub, 'Mqtt', 'rs-1', deriveDeviceKey(groupKey, 'rs-1'));
    expect(again.createdDateTimeUtc).not.toBe(state.createdDateTimeUtc);
    expect(hub.registry.get('rs-1').deviceId).toBe('rs-1');
  });

  it('refuses the hub connection string and a wrong key with 401', async () => {
    await expect(provisioningServiceClient(hub, hub.info.serviceConnectionString).getIndividualEnrollment('x')).rejects.toMatchObject({ name: 'UnauthorizedError' });
    const wrong = hub.info.provisioning.serviceConnectionString.replace(/SharedAccessKey=[^;]+/, `SharedAccessKey=${Buffer.alloc(32, 9).toString('base64')}`);
    await expect(provisioningServiceClient(hub, wrong).getIndividualEnrollment('x')).rejects.toMatchObject({ name: 'UnauthorizedError' });
  });
});

describe('the DPS id scope and service connection string', () => {
  it('stay the same across a restart of the same data folder', async () => {
    const first = await startTestHub({ ports: { https: 0 } });
    const before = first.hub.info.provisioning;
    expect(before.idScope).toMatch(/^0ne[0-9A-F]{8}$/);
    expect(before.serviceConnectionString).toMatch(new RegExp(`^HostName=${first.hub.info.hostName};SharedAccessKeyName=provisioningserviceowner;SharedAccessKey=[A-Za-z0-9+/]+=*$`));
    await first.hub.enrollments.putEnrollment({ registrationId: 'kept', attestation: { type: 'symmetricKey', symmetricKey: {} } });
    await first.stop();
    const second = await startTestHub({ ports: { https: 0 } }, first.dataDir);
    try {
      expect(second.hub.info.provisioning).toEqual(before);
      const service = provisioningServiceClient(second.hub);
      expect((await service.getIndividualEnrollment('kept')).responseBody).toMatchObject({ registrationId: 'kept' });
    } finally {
      await second.dispose();
    }
  });
});
