import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

import { readFile } from 'node:fs/promises';

import deviceSdk from 'azure-iot-device';
import rhea from 'rhea';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { parseConnectionString } from '../../emulator/auth/connection-string.js';
import { createSasToken } from '../../emulator/auth/sas-token.js';
import { openDevice } from '../helpers/device-sdk.js';
import { readEvents } from '../helpers/event-hubs.js';
import { connectRawAmqp, deviceSas, type AmqpError } from '../helpers/raw-amqp.js';
import { startTestHub, type TestHub } from '../helpers/start-hub.js';

// Reading the built-in endpoint with an IoT Hub connection string (iothub-protocol-2.md §5.3, checklist 165): SASL
// PLAIN as <policy>@sas.root.<hub>, a receiver on messages/events/$management, and the hub's amqp:link:redirect to
// the Event Hub-compatible endpoint. Also the device form of SASL PLAIN (<device>@sas.<hub>, as the C SDK logs in).

const CONVERTER = fileURLToPath(new URL('../../assets/examples/iothub-connection-string.mjs', import.meta.url));

let hub: TestHub;

beforeAll(async () => {
  hub = await startTestHub();
  await hub.hub.registry.create({ deviceId: 'redirect-device' });
});

afterAll(async () => {
  await hub?.dispose();
});

/** A policy token for `sr`, signed as IoT Hub tokens are (the decoded key). */
function policyToken(resource: string, options: { key?: string; policy?: string } = {}): string {
  const parts = parseConnectionString(hub.hub.info.serviceConnectionString);
  return createSasToken({
    resourceUri: resource,
    base64Key: options.key ?? parts.SharedAccessKey ?? '',
    policyName: options.policy ?? 'iothubowner',
    expiresAtSeconds: Math.floor(Date.now() / 1000) + 300,
  });
}

function runConverter(connectionString: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [CONVERTER],
      { timeout: 20_000, env: { ...process.env, NODE_EXTRA_CA_CERTS: hub.hub.info.caCertPath, IOTHUB_CONNECTION_STRING: connectionString, AMQP_PORT: String(hub.hub.info.ports.amqps) } },
      (error, stdout, stderr) => (error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(stdout.trim())),
    );
  });
}

/** Logs in with SASL PLAIN and says whether the connection opened or was refused. */
async function saslLogin(credentials: { username: string; password: string }): Promise<'open' | 'refused'> {
  const ca = await readFile(hub.hub.info.caCertPath, 'utf8');
  const connection = rhea.create_container().connect({ host: 'localhost', port: hub.hub.info.ports.amqps ?? 0, transport: 'tls', ca, servername: 'localhost', reconnect: false, ...credentials } as never);
  connection.on('error', () => undefined);
  return new Promise((resolve) => {
    connection.once('connection_open', () => {
      connection.close();
      resolve('open');
    });
    connection.once('connection_error', () => resolve('refused'));
    connection.once('disconnected', () => resolve('refused'));
  });
}

async function linkError(open: () => Promise<unknown>): Promise<AmqpError> {
  try {
    await open();
  } catch (error) {
    return error as AmqpError & { info?: Record<string, unknown> };
  }
  throw new Error('the link attached without an error');
}

describe('an IoT Hub connection string reads the built-in endpoint through the redirect', () => {
  it('converts to the Event Hubs connection string the hub prints, which reads what a device sent', async () => {
    const converted = await runConverter(hub.hub.info.serviceConnectionString);
    expect(converted).toBe(hub.hub.eventHubConnectionString().replace(/SharedAccessKeyName=([^;]+);SharedAccessKey=([^;]+);EntityPath=([^;]+)$/, 'EntityPath=$3;SharedAccessKeyName=$1;SharedAccessKey=$2'));

    const device = await openDevice(hub.hub, 'redirect-device');
    try {
      await device.sendEvent(new deviceSdk.Message(JSON.stringify({ via: 'redirect' })));
    } finally {
      await device.close();
    }
    const result = await readEvents(hub.hub, { count: 1, timeoutMs: 10_000 }, converted);
    expect(result.failed).toBeUndefined();
    expect(result.events?.[0]?.body).toEqual({ via: 'redirect' });
    expect(result.events?.[0]?.systemProperties?.['iothub-connection-device-id']).toBe('redirect-device');
  });

  it('redirects a partition reader authorised by a $cbs token too, keeping the partition path', async () => {
    const amqp = await connectRawAmqp(hub.hub);
    try {
      expect(await amqp.putToken(policyToken('localhost/messages/events'))).toBe(200);
      const error = (await linkError(() => amqp.receiver('messages/events/ConsumerGroups/$Default/Partitions/1'))) as AmqpError & { info?: Record<string, unknown> };
      const port = hub.hub.info.ports.amqps;
      expect(error.condition).toBe('amqp:link:redirect');
      expect(error.info).toMatchObject({ hostname: `localhost:${port}`, 'network-host': 'localhost', port, address: `amqps://localhost:${port}/localhost/ConsumerGroups/$Default/Partitions/1` });
    } finally {
      amqp.close();
    }
  });

  it('refuses the redirect to a connection that has not authenticated', async () => {
    const amqp = await connectRawAmqp(hub.hub);
    try {
      const error = await linkError(() => amqp.receiver(`amqps://localhost/messages/events/$management`));
      expect(error.condition).toBe('amqp:unauthorized-access');
    } finally {
      amqp.close();
    }
  });

  it('fails the SASL login for a wrong key, a policy other than the username names, or another hub name', async () => {
    const wrongKey = Buffer.alloc(32, 7).toString('base64');
    const attempts = [
      { username: 'iothubowner@sas.root.localhost', password: policyToken('localhost/messages/events', { key: wrongKey }) },
      { username: 'service@sas.root.localhost', password: policyToken('localhost/messages/events') },
      { username: 'iothubowner@sas.root.otherhub', password: policyToken('localhost/messages/events') },
      { username: 'nobody', password: policyToken('localhost/messages/events') },
    ];
    for (const credentials of attempts) expect(await saslLogin(credentials), credentials.username).toBe('refused');
    expect(await saslLogin({ username: 'iothubowner@sas.root.localhost', password: policyToken('localhost/messages/events') })).toBe('open');
  });
});

describe('SASL PLAIN with a device token', () => {
  it('opens the device links of <device>@sas.<hub> without a $cbs put-token, and nothing of the service surface', async () => {
    const amqp = await connectRawAmqp(hub.hub, { username: 'redirect-device@sas.localhost', password: deviceSas(hub.hub, 'redirect-device') });
    try {
      const sender = await amqp.sender('/devices/redirect-device/messages/events');
      expect(await amqp.send(sender, { body: 'plain hello' })).toEqual({ outcome: 'accepted' });
      const other = await linkError(() => amqp.sender('/devices/someone-else/messages/events'));
      expect(other.condition).toBe('amqp:unauthorized-access');
      const redirect = await linkError(() => amqp.receiver('messages/events/$management'));
      expect(redirect.condition).toBe('amqp:unauthorized-access');
    } finally {
      amqp.close();
    }
  });

  it('refuses a device token presented for another device', async () => {
    await hub.hub.registry.create({ deviceId: 'someone-else' });
    expect(await saslLogin({ username: 'someone-else@sas.localhost', password: deviceSas(hub.hub, 'redirect-device') })).toBe('refused');
    expect(await saslLogin({ username: 'someone-else@sas.localhost', password: deviceSas(hub.hub, 'someone-else') })).toBe('open');
  });
});
