import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import { createSasToken } from '../../emulator/auth/sas-token.js';
import { createEmulator, deriveDeviceKey } from '../../emulator/index.js';
import { startHubProcess, type HubProcess } from '../helpers/hub-process.js';
import { serviceTokenFor } from '../helpers/service-token.js';
import { childRest } from './support/child-rest.js';

/**
 * DPS writes are hub writes (change records in the journal): every enrollment the DPS service API answered 200 and
 * every registration a device saw `assigned` — with its device and initial twin — is there after a SIGKILL.
 */
describe('acknowledged DPS writes survive kill -9', () => {
  let running: HubProcess | undefined;
  const dirs: string[] = [];
  afterEach(async () => {
    await running?.kill();
    for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
  });

  it('keeps every acknowledged enrollment (with its etag) and every assigned registration with its device and twin', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'dps-kill-'));
    dirs.push(dataDir);
    running = await startHubProcess(['--data-dir', dataDir, '--mqtts-port', '0', '--https-port', '0', '--https-fallback', 'off', '--amqps-port', 'off']);
    const { info } = running;
    const rest = childRest(info);
    const dpsToken = serviceTokenFor(info.provisioning.serviceConnectionString, info.hostName);
    const scope = info.provisioning.idScope;

    const group = JSON.parse((await rest({ method: 'PUT', path: '/enrollmentGroups/crash-group?api-version=2021-10-01', body: JSON.stringify({ enrollmentGroupId: 'crash-group', attestation: { type: 'symmetricKey' }, initialTwin: { tags: { crash: true } } }), authorization: dpsToken })).text) as { attestation: { symmetricKey: { primaryKey: string } } };
    const etags = new Map<string, string>();
    await Promise.all(
      Array.from({ length: 20 }, async (_, i) => {
        const reply = await rest({ method: 'PUT', path: `/enrollments/e-${i}?api-version=2021-10-01`, body: JSON.stringify({ registrationId: `e-${i}`, attestation: { type: 'symmetricKey' } }), authorization: dpsToken });
        if (reply.status === 200) etags.set(`e-${i}`, (JSON.parse(reply.text) as { etag: string }).etag);
      }),
    );
    const assigned = new Set<string>();
    await Promise.all(
      Array.from({ length: 10 }, async (_, i) => {
        const id = `member-${i}`;
        const authorization = createSasToken({ resourceUri: `${scope}/registrations/${id}`, base64Key: deriveDeviceKey(group.attestation.symmetricKey.primaryKey, id), expiresAtSeconds: Math.floor(Date.now() / 1000) + 600, policyName: 'registration' });
        const accepted = await rest({ method: 'PUT', path: `/${scope}/registrations/${id}/register?api-version=2019-03-31`, body: JSON.stringify({ registrationId: id }), authorization });
        const { operationId } = JSON.parse(accepted.text) as { operationId: string };
        for (let attempt = 0; attempt < 200; attempt++) {
          await new Promise((resolve) => setTimeout(resolve, 10));
          const poll = await rest({ method: 'GET', path: `/${scope}/registrations/${id}/operations/${operationId}?api-version=2019-03-31`, authorization });
          if (poll.status === 200 && (JSON.parse(poll.text) as { status: string }).status === 'assigned') {
            assigned.add(id);
            return;
          }
        }
      }),
    );
    await running.kill();
    running = undefined;
    expect(etags.size).toBe(20);
    expect(assigned.size).toBe(10);

    const hub = createEmulator({ dataDir, ports: { mqtts: 0, https: null, amqps: null }, fsync: false });
    const reopened = await hub.start();
    try {
      expect(reopened.provisioning).toEqual(info.provisioning);
      for (const [id, etag] of etags) expect(hub.enrollments.getEnrollment(id).etag).toBe(etag);
      for (const id of assigned) {
        expect(hub.enrollments.getRegistration(id)).toMatchObject({ status: 'assigned', deviceId: id, enrollmentGroupId: 'crash-group' });
        expect(hub.twins.getServiceTwin(id)).toMatchObject({ tags: { crash: true } });
      }
    } finally {
      await hub.stop();
    }
  });
});
