import { createHmac } from 'node:crypto';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { EmulatorHost } from '../../../../main/emulator-host.js';
import { EventPump } from '../../../../main/host/event-pump.js';
import { handlerCalls } from '../../../helpers/handler-calls.js';
import { startStudioHost } from '../../../helpers/studio-host.js';
import { eventually } from '../../../helpers/wait-for.js';

let host: EmulatorHost;
let dispose: () => Promise<void>;

const { call, value } = handlerCalls(() => host);

beforeAll(async () => {
  ({ host, dispose } = await startStudioHost());
});
afterAll(() => dispose());

describe('provisioning.* on a real hub', () => {
  it('shows the id scope and connection string, saves enrollments and groups with generated keys, and removes them', async () => {
    const empty = await value('provisioning.overview', {});
    expect(empty).toMatchObject({ idScope: expect.stringMatching(/^0ne[0-9A-F]{8}$/), serviceConnectionString: expect.stringContaining('SharedAccessKeyName=provisioningserviceowner'), enrollments: [], groups: [], registrations: [] });
    const enrollment = await value('provisioning.putEnrollment', { registrationId: 'studio-1', provisioningStatus: 'enabled', tags: { site: 'lab' } });
    expect(enrollment).toMatchObject({ id: 'studio-1', kind: 'individual', attestationType: 'symmetricKey', tags: { site: 'lab' }, desired: {} });
    expect(enrollment.primaryKey).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    const disabled = await value('provisioning.putEnrollment', { registrationId: 'studio-1', provisioningStatus: 'disabled' });
    expect(disabled).toMatchObject({ provisioningStatus: 'disabled', primaryKey: enrollment.primaryKey, tags: { site: 'lab' } });
    const group = await value('provisioning.putGroup', { enrollmentGroupId: 'studio-group', provisioningStatus: 'enabled' });
    const overview = await value('provisioning.overview', {});
    expect(overview.enrollments.map((row) => row.id)).toEqual(['studio-1']);
    expect(overview.groups.map((row) => row.id)).toEqual(['studio-group']);
    const derived = await value('provisioning.deriveKey', { groupKey: group.primaryKey, registrationId: 'member-1' });
    expect(derived.key).toBe(createHmac('sha256', Buffer.from(group.primaryKey, 'base64')).update('member-1').digest('base64'));
    await value('provisioning.remove', { kind: 'individual', id: 'studio-1' });
    expect((await value('provisioning.overview', {})).enrollments).toEqual([]);
    expect(await call('provisioning.remove', { kind: 'registration', id: 'nobody' })).toMatchObject({ ok: false, error: { httpStatus: 404 } });
    expect(await call('provisioning.putEnrollment', { registrationId: 'bad/id', provisioningStatus: 'enabled' })).toMatchObject({ ok: false, error: { httpStatus: 400 } });
  });

  it('pushes provisioning.changed once per batch of provisioning writes', async () => {
    const pushes: { channel: string; payload: unknown }[] = [];
    const pump = new EventPump(host, (channel, payload) => pushes.push({ channel, payload }), { intervalMs: 20 });
    try {
      await value('provisioning.putGroup', { enrollmentGroupId: 'pushed-group', provisioningStatus: 'enabled' });
      await value('provisioning.remove', { kind: 'group', id: 'pushed-group' });
      await eventually(() => pushes.some((push) => push.channel === 'provisioning.changed'), 2000, 'provisioning.changed push');
      const kinds = pushes.filter((push) => push.channel === 'provisioning.changed').flatMap((push) => (push.payload as { kinds: string[] }).kinds);
      expect(kinds).toEqual(expect.arrayContaining(['enrollmentGroupPut', 'enrollmentGroupDeleted']));
    } finally {
      pump.dispose();
    }
  });
});
