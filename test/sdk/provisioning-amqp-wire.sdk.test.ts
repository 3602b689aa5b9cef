import { readFile } from 'node:fs/promises';

import rhea, { type Connection, type Message, type Receiver, type Sender } from 'rhea';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createSasToken } from '../../emulator/auth/sas-token.js';
import type { EnrollmentAttestation, HubEmulator } from '../../emulator/index.js';
import { startTestHub, type TestHub } from '../helpers/start-hub.js';

// DPS over AMQP on the wire, with a hand-driven rhea client: SASL PLAIN, the two links, the request and reply
// properties, and the refusals as rejected deliveries with the conditions the Node client maps (iothub-protocol-2.md §2.4).

interface Session {
  readonly connection: Connection;
  readonly sender: Sender;
  readonly receiver: Receiver;
}

function primaryKeyOf(attestation: EnrollmentAttestation): string {
  return attestation.type === 'symmetricKey' ? attestation.symmetricKey.primaryKey : '';
}

describe('DPS over AMQP, raw', () => {
  let test: TestHub;
  let hub: HubEmulator;
  let ca: string;
  const sessions: Connection[] = [];

  beforeAll(async () => {
    test = await startTestHub({ ports: { https: 0 } });
    hub = test.hub;
    ca = await readFile(hub.info.caCertPath, 'utf8');
  });

  afterAll(async () => {
    for (const connection of sessions) connection.close();
    await test?.dispose();
  });

  function token(registrationId: string, key: string): string {
    return createSasToken({ resourceUri: `${hub.info.provisioning.idScope}/registrations/${registrationId}`, base64Key: key, expiresAtSeconds: Math.floor(Date.now() / 1000) + 600, policyName: 'registration' });
  }

  /** Connects with SASL PLAIN and attaches the receiver and the sender on `<idScope>/registrations/<id>`. */
  function open(username: string, password: string, registrationId: string): Promise<Session> {
    const connection = rhea.create_container().connect({ host: 'localhost', port: hub.info.ports.amqps ?? 0, transport: 'tls', ca, servername: 'localhost', reconnect: false, username, password } as never);
    sessions.push(connection);
    connection.on('connection_error', () => undefined);
    connection.on('error', () => undefined);
    const address = `${hub.info.provisioning.idScope}/registrations/${registrationId}`;
    return new Promise((resolve, reject) => {
      connection.once('disconnected', (context) => reject(new Error(`disconnected: ${String(context.error ?? (context.connection as { error?: unknown }).error)}`)));
      const receiver = connection.open_receiver({ source: { address } });
      receiver.once('receiver_open', () => {
        const sender = connection.open_sender({ target: { address } });
        sender.once('sendable', () => resolve({ connection, sender, receiver }));
      });
    });
  }

  function request(session: Session, message: Message): Promise<{ outcome: 'accepted'; reply: Message } | { outcome: 'rejected'; error: { condition: string; description: string; info?: Record<string, unknown> } }> {
    return new Promise((resolve) => {
      const correlationId = message.correlation_id;
      const onMessage = (context: { message?: Message }) => {
        const reply = context.message;
        if (!reply || reply.correlation_id !== correlationId) return;
        session.receiver.removeListener('message', onMessage);
        resolve({ outcome: 'accepted', reply });
      };
      session.receiver.on('message', onMessage);
      const delivery = session.sender.send(message);
      session.sender.once('rejected', (context) => {
        if (context.delivery !== delivery) return;
        session.receiver.removeListener('message', onMessage);
        resolve({ outcome: 'rejected', error: (context.delivery?.remote_state as { error: { condition: string; description: string; info?: Record<string, unknown> } }).error });
      });
    });
  }

  it('answers register with the operation status, correlation_id and retry-after, and refuses bad requests by condition', async () => {
    const enrollment = await hub.enrollments.putEnrollment({ registrationId: 'raw-amqp-1', attestation: { type: 'symmetricKey', symmetricKey: {} } });
    const session = await open(`${hub.info.provisioning.idScope}/registrations/raw-amqp-1`, token('raw-amqp-1', primaryKeyOf(enrollment.attestation)), 'raw-amqp-1');
    const registered = await request(session, {
      correlation_id: 'c-1',
      application_properties: { 'iotdps-operation-type': 'iotdps-register', 'iotdps-forceRegistration': false },
      body: rhea.message.data_section(Buffer.from(JSON.stringify({ registrationId: 'raw-amqp-1' }))),
    });
    if (registered.outcome !== 'accepted') throw new Error(`rejected: ${registered.error.condition}`);
    expect(registered.reply.application_properties).toMatchObject({ 'retry-after': '1', 'iotdps-status': 'assigning' });
    const status = JSON.parse((registered.reply.body as { content: Buffer }).content.toString()) as { operationId: string; status: string };
    expect(status).toMatchObject({ status: 'assigning', operationId: expect.any(String) as unknown });

    const unknownOperation = await request(session, { correlation_id: 'c-2', application_properties: { 'iotdps-operation-type': 'iotdps-get-operationstatus', 'iotdps-operation-id': 'nope' }, body: '' });
    expect(unknownOperation).toMatchObject({ outcome: 'rejected', error: { condition: 'amqp:not-found', info: { 'com.microsoft:error-code': 404204 } } });
    const unknownType = await request(session, { correlation_id: 'c-3', application_properties: { 'iotdps-operation-type': 'iotdps-dance' }, body: '' });
    expect(unknownType).toMatchObject({ outcome: 'rejected', error: { condition: 'com.microsoft:argument-error', description: expect.stringContaining('iotdps-dance') as unknown } });
    const notJson = await request(session, { correlation_id: 'c-4', application_properties: { 'iotdps-operation-type': 'iotdps-register' }, body: rhea.message.data_section(Buffer.from('{nope')) });
    expect(notJson).toMatchObject({ outcome: 'rejected', error: { condition: 'com.microsoft:argument-error' } });

    // The operation finishes: the poll answers assigned, without retry-after.
    for (let attempt = 0; ; attempt++) {
      if (attempt > 200) throw new Error('the registration did not finish');
      const polled = await request(session, { correlation_id: `p-${Date.now()}`, application_properties: { 'iotdps-operation-type': 'iotdps-get-operationstatus', 'iotdps-operation-id': status.operationId }, body: '' });
      if (polled.outcome !== 'accepted') throw new Error(`rejected: ${polled.error.condition}`);
      const body = JSON.parse((polled.reply.body as { content: Buffer }).content.toString()) as { status: string };
      if (body.status === 'assigning') {
        await new Promise((resolve) => setTimeout(resolve, 25));
        continue;
      }
      expect(body).toMatchObject({ status: 'assigned', registrationState: { deviceId: 'raw-amqp-1', assignedHub: hub.info.hostName } });
      expect(polled.reply.application_properties).not.toHaveProperty('retry-after');
      break;
    }
  });

  it('refuses a bad registration token on the first request with amqp:unauthorized-access and DPS code 401002', async () => {
    await hub.enrollments.putEnrollment({ registrationId: 'raw-amqp-2', attestation: { type: 'symmetricKey', symmetricKey: {} } });
    const session = await open(`${hub.info.provisioning.idScope}/registrations/raw-amqp-2`, token('raw-amqp-2', Buffer.alloc(32, 1).toString('base64')), 'raw-amqp-2');
    const refused = await request(session, { correlation_id: 'x', application_properties: { 'iotdps-operation-type': 'iotdps-register' }, body: rhea.message.data_section(Buffer.from('{}')) });
    expect(refused).toMatchObject({ outcome: 'rejected', error: { condition: 'amqp:unauthorized-access', info: { 'com.microsoft:error-code': 401002 } } });
    expect(hub.registry.find('raw-amqp-2')).toBeUndefined();
  });

  it('refuses links for another registration than the SASL username named, and SASL PLAIN for non-DPS usernames', async () => {
    const enrollment = await hub.enrollments.putEnrollment({ registrationId: 'raw-amqp-3', attestation: { type: 'symmetricKey', symmetricKey: {} } });
    const session = await open(`${hub.info.provisioning.idScope}/registrations/raw-amqp-3`, token('raw-amqp-3', primaryKeyOf(enrollment.attestation)), 'raw-amqp-other');
    const refused = await request(session, { correlation_id: 'y', application_properties: { 'iotdps-operation-type': 'iotdps-register' }, body: '' });
    expect(refused).toMatchObject({ outcome: 'rejected', error: { condition: 'amqp:unauthorized-access', description: expect.stringContaining("not 'raw-amqp-other'") as unknown } });
    await expect(open('device1@sas.localhost', 'SharedAccessSignature sr=x&sig=y&se=1', 'raw-amqp-3')).rejects.toThrow(/disconnected/);
  });
});
