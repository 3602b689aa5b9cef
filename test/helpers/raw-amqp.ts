import { readFile } from 'node:fs/promises';

import rhea, { type Connection, type Delivery, type Message, type Receiver, type Sender } from 'rhea';

import { createSasToken } from '../../emulator/auth/sas-token.js';
import type { HubEmulator } from '../../emulator/index.js';

/** An AMQP error as rhea reports a refused link or a closed connection. */
export interface AmqpError {
  readonly condition: string;
  readonly description: string;
}

/** A hand-driven AMQP client (rhea) for wire-level tests of the hub's AMQP endpoint. */
export interface RawAmqp {
  readonly connection: Connection;
  /** Sends one CBS put-token and resolves with the reply's `status-code`. */
  putToken(token: string, audience?: string): Promise<number>;
  /** Attaches a sender (we send to `address`); resolves when attached, rejects with the detach error. */
  sender(address: string): Promise<Sender>;
  /** Attaches a receiver (we receive from `address`). */
  receiver(address: string): Promise<Receiver>;
  /** Sends and resolves with the remote outcome (`accepted`, or the rejection's error). */
  send(sender: Sender, message: Message): Promise<{ outcome: 'accepted' } | { outcome: 'rejected'; error: AmqpError }>;
  /** Resolves with the error the connection was closed with. */
  closed(): Promise<AmqpError | undefined>;
  close(): void;
}

/** A device SAS token as the device SDK signs it. */
export function deviceSas(hub: HubEmulator, deviceId: string, options: { expiresAtSeconds?: number; hostName?: string; key?: string } = {}): string {
  return createSasToken({
    resourceUri: `${options.hostName ?? hub.info.hostName}/devices/${deviceId}`,
    base64Key: options.key ?? hub.registry.get(deviceId).authentication.symmetricKey.primaryKey,
    expiresAtSeconds: options.expiresAtSeconds ?? Math.floor(Date.now() / 1000) + 3600,
  });
}

/**
 * Opens a raw AMQP/TLS connection to the hub with `$cbs` links: no SASL, as the Node SDKs connect, or SASL PLAIN with
 * `sasl` (username and SAS token password, as the C SDK and the Event Hubs redirect samples log in).
 */
export async function connectRawAmqp(hub: HubEmulator, sasl?: { username: string; password: string }): Promise<RawAmqp> {
  const ca = await readFile(hub.info.caCertPath, 'utf8');
  const container = rhea.create_container();
  const connection = container.connect({ host: 'localhost', port: hub.info.ports.amqps ?? 0, transport: 'tls', ca, servername: 'localhost', reconnect: false, ...sasl } as never);
  let closeError: AmqpError | undefined;
  const closed = new Promise<AmqpError | undefined>((resolve) => {
    connection.on('connection_close', (context) => {
      closeError = context.connection.error as AmqpError | undefined;
      resolve(closeError);
    });
    connection.on('disconnected', () => resolve(closeError));
  });
  connection.on('connection_error', () => undefined);
  connection.on('error', () => undefined);
  // A refused link is attached and then detached with an error (as IoT Hub refuses links): an attach counts once no
  // detach followed it for a moment.
  const attach = <L extends Sender | Receiver>(link: L): Promise<L> =>
    new Promise((resolve, reject) => {
      link.once(link.is_sender() ? 'sender_open' : 'receiver_open', () => setTimeout(() => resolve(link), 150));
      link.once(link.is_sender() ? 'sender_close' : 'receiver_close', (context) => reject((context.sender ?? context.receiver)?.error as AmqpError));
      link.once(link.is_sender() ? 'sender_error' : 'receiver_error', () => undefined);
    });
  const cbsSender = await attach(connection.open_sender('$cbs'));
  const cbsReceiver = await attach(connection.open_receiver('$cbs'));
  return {
    connection,
    putToken: (token, audience) =>
      new Promise((resolve) => {
        const messageId = rhea.generate_uuid();
        const onMessage = (context: { message?: Message }) => {
          if (String(context.message?.correlation_id) !== messageId) return;
          cbsReceiver.removeListener('message', onMessage);
          resolve(Number((context.message?.application_properties as Record<string, unknown>)['status-code']));
        };
        cbsReceiver.on('message', onMessage);
        cbsSender.send({ message_id: messageId, reply_to: 'cbs', body: token, application_properties: { operation: 'put-token', type: 'servicebus.windows.net:sastoken', name: audience ?? '' } });
      }),
    sender: (address) => attach(connection.open_sender({ target: { address } })),
    receiver: (address) => attach(connection.open_receiver({ source: { address }, autoaccept: false })),
    send: (sender, message) =>
      new Promise((resolve) => {
        const delivery: Delivery = sender.send(message);
        const onAccepted = (context: { delivery?: Delivery }) => {
          if (context.delivery !== delivery) return;
          sender.removeListener('accepted', onAccepted);
          resolve({ outcome: 'accepted' });
        };
        const onRejected = (context: { delivery?: Delivery }) => {
          if (context.delivery !== delivery) return;
          sender.removeListener('rejected', onRejected);
          const state = (context.delivery as unknown as { remote_state?: { error?: AmqpError } }).remote_state;
          resolve({ outcome: 'rejected', error: state?.error ?? { condition: '', description: '' } });
        };
        sender.on('accepted', onAccepted);
        sender.on('rejected', onRejected);
      }),
    closed: () => closed,
    close: () => connection.close(),
  };
}
