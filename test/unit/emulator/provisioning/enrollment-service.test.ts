import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import { HubEventBus } from '../../../../emulator/events.js';
import { IotHubError } from '../../../../emulator/errors/iothub-error.js';
import { ensureDpsInstance } from '../../../../emulator/provisioning/dps-instance.js';
import { EnrollmentService } from '../../../../emulator/provisioning/enrollment-service.js';
import { WriteLock } from '../../../../emulator/provisioning/write-lock.js';
import { HubData } from '../../../../emulator/services/hub-data.js';
import { applyChange } from '../../../../emulator/state/apply-change.js';
import { JournalStore } from '../../../../emulator/store/journal-store.js';
import { changesProblem } from '../../../../emulator/store/record-schema.js';
import { StoreCorruptError } from '../../../../emulator/store/store-corrupt-error.js';
import { ManualClock } from '../../../../emulator/util/clock.js';

// DPS state is hub state (house-style H10): enrollments, groups, registration states and the DPS instance are
// change records replayed by the one reducer, checked by the record schema, and durable across a restart.

const dirs: string[] = [];

async function open(dir: string, compactOnClose = false) {
  const store = new JournalStore({ dataDir: dir, reduce: (state, change) => applyChange(state, change, { historyLimit: 8 }), fsync: false, compactOnClose });
  const state = await store.open();
  const data = new HubData(state, store);
  const enrollments = new EnrollmentService(data, new WriteLock(), new ManualClock(), new HubEventBus());
  return { store, state, data, enrollments };
}

async function freshDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'dps-state-'));
  dirs.push(dir);
  return dir;
}

afterEach(async () => {
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

const symmetric = { type: 'symmetricKey' as const, symmetricKey: {} };

describe('provisioning state', () => {
  it('keeps the id scope, the DPS policy, enrollments, groups and registration states across a restart', async () => {
    const dir = await freshDir();
    const first = await open(dir);
    const instance = await ensureDpsInstance(first.data);
    expect(instance.idScope).toMatch(/^0ne[0-9A-F]{8}$/);
    const enrollment = await first.enrollments.putEnrollment({ registrationId: 'Dev-01', attestation: symmetric, initialTwin: { tags: { site: 'a' }, desired: { fan: true } } });
    const group = await first.enrollments.putGroup({ enrollmentGroupId: 'line-1', attestation: symmetric, provisioningStatus: 'disabled' });
    await first.data.write([{ kind: 'registrationPut', record: { registrationId: 'dev-02', status: 'assigned', substatus: 'initialAssignment', deviceId: 'dev-02', assignedHub: 'localhost', enrollmentGroupId: 'line-1', attestationType: 'symmetricKey', errorCode: null, errorMessage: null, etag: '"e"', createdDateTimeUtc: 't', lastUpdatedDateTimeUtc: 't' } }], []);
    await first.store.close();

    const second = await open(dir);
    expect(await ensureDpsInstance(second.data)).toEqual(instance);
    expect(second.enrollments.getEnrollment('dev-01')).toEqual(enrollment);
    expect(second.enrollments.getGroup('LINE-1')).toEqual(group);
    expect(second.enrollments.getRegistration('DEV-02')).toMatchObject({ deviceId: 'dev-02', enrollmentGroupId: 'line-1' });
    await second.store.close();
  });

  it('generates both keys when omitted, keeps them on update, and checks etags (412 on a stale one)', async () => {
    const { store, enrollments } = await open(await freshDir());
    const created = await enrollments.putEnrollment({ registrationId: 'dev-1', attestation: symmetric });
    expect(created.attestation).toMatchObject({ type: 'symmetricKey', symmetricKey: { primaryKey: expect.stringMatching(/^[A-Za-z0-9+/]{43}=$/), secondaryKey: expect.any(String) } });
    expect(created.etag).toMatch(/^".+"$/);
    const updated = await enrollments.putEnrollment({ registrationId: 'dev-1', attestation: symmetric, provisioningStatus: 'disabled', ifMatch: created.etag });
    expect(updated.attestation).toEqual(created.attestation);
    expect(updated.etag).not.toBe(created.etag);
    expect(updated.createdDateTimeUtc).toBe(created.createdDateTimeUtc);
    const stale = await enrollments.putEnrollment({ registrationId: 'dev-1', attestation: symmetric, ifMatch: created.etag }).catch((error: unknown) => error);
    expect(stale).toBeInstanceOf(IotHubError);
    expect(stale).toMatchObject({ httpStatus: 412 });
    await expect(enrollments.deleteEnrollment('dev-1', created.etag)).rejects.toMatchObject({ httpStatus: 412 });
    await enrollments.deleteEnrollment('dev-1', updated.etag);
    expect(() => enrollments.getEnrollment('dev-1')).toThrow(/not found/);
    await store.close();
  });

  it('refuses bad keys and ids with 400 and stores nothing', async () => {
    const { store, state, enrollments } = await open(await freshDir());
    await expect(enrollments.putEnrollment({ registrationId: 'dev-1', attestation: { type: 'symmetricKey', symmetricKey: { primaryKey: 'not base64!' } } })).rejects.toMatchObject({ httpStatus: 400 });
    await expect(enrollments.putEnrollment({ registrationId: 'bad/id', attestation: symmetric })).rejects.toMatchObject({ httpStatus: 400 });
    await expect(enrollments.putEnrollment({ registrationId: 'ok-id', deviceId: 'no spaces please', attestation: symmetric })).rejects.toMatchObject({ httpStatus: 400 });
    await expect(enrollments.putEnrollment({ registrationId: 'dev-2', attestation: symmetric, initialTwin: { tags: {}, desired: { $bad: 1 } } })).rejects.toMatchObject({ httpStatus: 400, message: expect.stringContaining('$bad') });
    expect(Object.keys(state.enrollments)).toEqual([]);
    await store.close();
  });

  it('runs bulk create, reporting the enrollments that already exist, and pages queries with a continuation', async () => {
    const { store, enrollments } = await open(await freshDir());
    await enrollments.putEnrollment({ registrationId: 'b-2', attestation: symmetric });
    const result = await enrollments.bulk('create', ['b-1', 'b-2', 'b-3', 'b-4'].map((registrationId) => ({ registrationId, attestation: symmetric })));
    expect(result).toEqual({ isSuccessful: false, errors: [{ registrationId: 'b-2', errorCode: 409201, errorStatus: "Enrollment 'b-2' already exists." }] });
    const first = enrollments.queryEnrollments({ pageSize: 3 });
    expect(first.items.map((item) => item.registrationId)).toEqual(['b-1', 'b-2', 'b-3']);
    const second = enrollments.queryEnrollments({ pageSize: 3, continuation: first.continuation });
    expect(second.items.map((item) => item.registrationId)).toEqual(['b-4']);
    expect(second.continuation).toBeUndefined();
    await expect(enrollments.bulk('create', [])).rejects.toMatchObject({ httpStatus: 400 });
    await store.close();
  });

  it('stops the hub at open when a stored enrollment is damaged, naming the record and field', async () => {
    const dir = await freshDir();
    const first = await open(dir, true);
    await first.enrollments.putEnrollment({ registrationId: 'dev-1', attestation: symmetric });
    await first.store.close();
    const file = join(dir, 'hub.json');
    const document = JSON.parse(await readFile(file, 'utf8')) as { enrollments: Record<string, Record<string, unknown>> };
    const record = document.enrollments['dev-1'];
    expect(record).toMatchObject({ registrationId: 'dev-1' });
    if (record) record.provisioningStatus = 'maybe';
    await writeFile(file, JSON.stringify(document));
    const error = await open(dir).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(StoreCorruptError);
    expect(String((error as Error).message)).toContain('enrollments["dev-1"].provisioningStatus');
  });

  it('names a damaged provisioning change record in a journal batch', () => {
    expect(changesProblem([{ kind: 'enrollmentDeleted', registrationId: 'a' }, { kind: 'registrationPut', record: { registrationId: 'a', status: 'done' } }])).toMatch(/^changes\[1\]\.record\.status/);
    expect(changesProblem([{ kind: 'dpsInstanceSet', instance: { idScope: '0ne00000000', policies: {} } }])).toBeUndefined();
  });

  it('opens a data folder written before DPS existed (no provisioning maps) with empty ones', async () => {
    const dir = await freshDir();
    await writeFile(join(dir, 'hub.json'), JSON.stringify({ schemaVersion: 2, journalSeq: 0, policies: {}, devices: {}, sessions: {}, c2dQueues: {}, modules: {}, twinHistory: {} }));
    const { store, state, data } = await open(dir);
    expect([state.dpsInstances, state.enrollments, state.enrollmentGroups, state.registrations]).toEqual([{}, {}, {}, {}]);
    expect((await ensureDpsInstance(data)).idScope).toMatch(/^0ne/);
    await store.close();
  });

  it('keeps ids such as __proto__ and constructor as plain keys, and finds no inherited member', async () => {
    const dir = await freshDir();
    const first = await open(dir);
    await first.enrollments.putEnrollment({ registrationId: '__proto__', attestation: symmetric });
    await first.enrollments.putGroup({ enrollmentGroupId: 'constructor', attestation: symmetric });
    expect(() => first.enrollments.getEnrollment('toString')).toThrow(/not found/);
    expect(() => first.enrollments.getRegistration('hasOwnProperty')).toThrow(/not found/);
    expect(Object.getPrototypeOf(first.state.enrollments)).toBe(Object.prototype);
    await first.store.close();
    const second = await open(dir);
    expect(second.enrollments.getEnrollment('__proto__').registrationId).toBe('__proto__');
    expect(second.enrollments.getGroup('constructor').enrollmentGroupId).toBe('constructor');
    expect(second.enrollments.queryEnrollments({}).items.map((item) => item.registrationId)).toEqual(['__proto__']);
    await second.enrollments.deleteEnrollment('__proto__');
    expect(() => second.enrollments.getEnrollment('__proto__')).toThrow(/not found/);
    await second.store.close();
  });
});
