import { readFile } from 'node:fs/promises';

import deviceSdk from 'azure-iot-device';
import amqpTransport from 'azure-iot-device-amqp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { deriveDeviceKey, type EnrollmentAttestation, type HubEmulator } from '../../emulator/index.js';
import { refusal, registerWithKey } from '../helpers/provisioning-sdk.js';
import { startTestHub, type TestHub } from '../helpers/start-hub.js';

// DPS over AMQP (iothub-protocol-2.md §2.4) as the unmodified azure-iot-provisioning-device-amqp speaks it, on the
// hub's AMQP listener (Amqp, `amqps://localhost:<port>`) and its WebSocket path on the HTTPS listener (AmqpWs):
// symmetric keys through SASL PLAIN (username `<idScope>/registrations/<id>`, password the registration SAS), the
// register/poll messages on the `<idScope>/registrations/<id>` links, then the provisioned device on the hub over AMQP.
// X.509 over AMQP is in provisioning-x509.sdk.test.ts.

const symmetric = { type: 'symmetricKey' as const, symmetricKey: {} };

function primaryKeyOf(attestation: EnrollmentAttestation): string {
  if (attestation.type !== 'symmetricKey') throw new Error('not a symmetric-key attestation');
  return attestation.symmetricKey.primaryKey;
}

describe('DPS over AMQP with the real provisioning SDK', () => {
  let test: TestHub;
  let hub: HubEmulator;

  beforeAll(async () => {
    test = await startTestHub({ ports: { https: 0 } });
    hub = test.hub;
  });

  afterAll(async () => {
    await test?.dispose();
  });

  it.each(['Amqp', 'AmqpWs'] as const)('%s: an individual enrollment provisions a device that connects over AMQP and sees its initial twin', async (transport) => {
    const registrationId = `amqp-ind-${transport.toLowerCase()}`;
    const enrollment = await hub.enrollments.putEnrollment({ registrationId, deviceId: `${registrationId}-device`, attestation: symmetric, initialTwin: { tags: { via: 'amqp' }, desired: { rate: 5 } } });
    const key = primaryKeyOf(enrollment.attestation);
    const result = await registerWithKey(hub, transport, registrationId, key);
    expect(result).toMatchObject({ registrationId, deviceId: `${registrationId}-device`, assignedHub: hub.info.hostName, status: 'assigned', substatus: 'initialAssignment', symmetricKey: {} });
    expect(hub.enrollments.getRegistration(registrationId)).toMatchObject({ status: 'assigned', attestationType: 'symmetricKey' });

    const device = deviceSdk.Client.fromConnectionString(`HostName=${result.assignedHub};DeviceId=${result.deviceId};SharedAccessKey=${key};GatewayHostName=localhost:${hub.info.ports.amqps}`, amqpTransport.Amqp);
    await device.setOptions({ ca: await readFile(hub.info.caCertPath, 'utf8') });
    await device.open();
    try {
      expect((await device.getTwin()).properties.desired).toMatchObject({ rate: 5 });
    } finally {
      await device.close();
    }
  });

  it.each(['Amqp', 'AmqpWs'] as const)('%s: a group member proves itself with the derived key; the group key itself is refused', async (transport) => {
    const groupId = `amqp-group-${transport.toLowerCase()}`;
    const group = await hub.enrollments.putGroup({ enrollmentGroupId: groupId, attestation: symmetric, initialTwin: { tags: { fleet: groupId }, desired: {} } });
    const registrationId = `amqp-member-${transport.toLowerCase()}`;
    const result = await registerWithKey(hub, transport, registrationId, deriveDeviceKey(primaryKeyOf(group.attestation), registrationId));
    expect(result).toMatchObject({ registrationId, deviceId: registrationId, status: 'assigned', symmetricKey: { enrollmentGroupId: groupId } });
    expect(hub.twins.getServiceTwin(registrationId)).toMatchObject({ tags: { fleet: groupId } });
    expect(await refusal(registerWithKey(hub, transport, `${registrationId}-2`, primaryKeyOf(group.attestation)))).toBe('UnauthorizedError');
  });

  it('registers again idempotently over AMQP after MQTT', async () => {
    const enrollment = await hub.enrollments.putEnrollment({ registrationId: 'amqp-again', attestation: symmetric, initialTwin: { tags: { a: 1 }, desired: {} } });
    const key = primaryKeyOf(enrollment.attestation);
    const first = await registerWithKey(hub, 'Mqtt', 'amqp-again', key);
    const twinVersion = hub.twins.getServiceTwin('amqp-again').version;
    const second = await registerWithKey(hub, 'Amqp', 'amqp-again', key);
    expect(second).toMatchObject({ deviceId: first.deviceId, status: 'assigned', substatus: 'initialAssignment', createdDateTimeUtc: first.createdDateTimeUtc });
    expect(hub.twins.getServiceTwin('amqp-again').version).toBe(twinVersion);
  });

  it('a disabled enrollment ends in status "disabled" over AMQP and creates no device', async () => {
    const enrollment = await hub.enrollments.putEnrollment({ registrationId: 'amqp-off', attestation: symmetric, provisioningStatus: 'disabled' });
    const error = (await registerWithKey(hub, 'Amqp', 'amqp-off', primaryKeyOf(enrollment.attestation)).catch((caught: unknown) => caught)) as Error & { result?: unknown };
    expect(error.message).toBe('status is disabled');
    expect(error.result).toMatchObject({ status: 'disabled', registrationState: { status: 'disabled' } });
    expect(hub.registry.find('amqp-off')).toBeUndefined();
  });

  it.each(['Amqp', 'AmqpWs'] as const)('%s: a wrong key, an unknown registration id and a wrong id scope are refused: the register request is rejected with amqp:unauthorized-access', async (transport) => {
    await hub.enrollments.putEnrollment({ registrationId: `amqp-bad-${transport}`, attestation: symmetric });
    const wrongKey = Buffer.alloc(32, 7).toString('base64');
    expect(await refusal(registerWithKey(hub, transport, `amqp-bad-${transport}`, wrongKey))).toBe('UnauthorizedError');
    expect(await refusal(registerWithKey(hub, transport, 'amqp-nobody', wrongKey))).toBe('UnauthorizedError');
    const key = primaryKeyOf(hub.enrollments.getEnrollment(`amqp-bad-${transport}`).attestation);
    expect(await refusal(registerWithKey(hub, transport, `amqp-bad-${transport}`, key, { idScope: '0ne00000000' }))).toBe('UnauthorizedError');
    expect(hub.registry.find(`amqp-bad-${transport}`)).toBeUndefined();
  });
});
